/** The chats sidebar: conversations this browser started, newest first. */
import { api } from './api.js';
import { h } from './dom.js';
import { chats, forgetChat } from './settings.js';

export const sidebarList = h('ul', { class: 'chats', 'aria-label': 'Conversations' });

export function renderSidebar(
  current: string | null,
  open: (id: string) => void,
  removed: (id: string) => void,
): void {
  sidebarList.replaceChildren(
    ...chats().map((chat) =>
      h(
        'li',
        { class: chat.id === current ? 'current' : '' },
        h(
          'button',
          { class: 'chat-link', title: chat.id, onclick: () => open(chat.id) },
          chat.title || chat.id,
        ),
        h(
          'button',
          {
            class: 'icon',
            'aria-label': `Delete ${chat.title}`,
            onclick: async () => {
              await api('DELETE', `/conversations/${chat.id}`).catch(() => {});
              forgetChat(chat.id);
              removed(chat.id);
            },
          },
          '×',
        ),
      ),
    ),
  );
}
