/**
 * Entry point: the layout, the API key (and whether it is an admin key), the model list, the
 * composer and keyboard handling.
 */
import './style.css';
import { AdminView } from './admin/admin-view.js';
import { ApiError, api, gateway } from './api.js';
import { Chat } from './chat.js';
import { $, h } from './dom.js';
import { inspector, inspectorView } from './inspector.js';
import { optionsPanel } from './options.js';
import { panelTabs } from './panel-tabs.js';
import { load, save } from './settings.js';
import { renderSidebar, sidebarList } from './sidebar.js';
import { refreshVectorStores, vectorStorePanel } from './vector-stores.js';

// A combobox: the listed models as suggestions, any other name typed in (routing decides).
const modelList = h('datalist', { id: 'models' });
const modelSelect = h('input', {
  id: 'model',
  list: 'models',
  'aria-label': 'Model',
  placeholder: 'model',
  autocomplete: 'off',
  spellcheck: 'false',
});
const status = h('span', { class: 'muted', role: 'status', id: 'status' });
const input = h('textarea', {
  id: 'prompt',
  rows: 2,
  placeholder: 'Message (Enter sends, Shift+Enter for a new line)',
  'aria-label': 'Message',
});
const sendButton = h('button', { type: 'submit', id: 'send' }, 'Send');
const stopButton = h('button', { type: 'button', id: 'stop', hidden: true }, 'Stop');

const chat = new Chat(
  (busy) => {
    sendButton.disabled = busy;
    stopButton.hidden = !busy;
    status.textContent = busy ? 'streaming…' : '';
  },
  () => sidebar(),
);

function sidebar(): void {
  renderSidebar(
    chat.chatId,
    (id) => {
      chat.open(id).catch(showError);
      sidebar();
      document.body.classList.remove('show-chats');
    },
    (id) => {
      if (chat.chatId === id) chat.newChat();
      sidebar();
    },
  );
}

const admin = new AdminView();
let isAdmin = false;
const adminToggle = h(
  'button',
  {
    type: 'button',
    id: 'admin-toggle',
    'aria-pressed': 'false',
    hidden: true,
    onclick: () => adminView(!admin.shown),
  },
  'Admin',
);

function adminView(on: boolean): void {
  document.body.classList.toggle('admin-mode', on);
  adminToggle.textContent = on ? 'Chat' : 'Admin';
  adminToggle.setAttribute('aria-pressed', String(on));
  save('view', on ? 'admin' : 'chat');
  if (on) admin.show();
  else {
    admin.hide();
    input.focus();
  }
}

/** An admin key reaches GET /admin/keys; any other answer (403, 401, no admin API) means not. */
async function checkKey(entered: boolean): Promise<void> {
  isAdmin = await gateway('GET', '/admin/keys').then(
    () => true,
    () => false,
  );
  adminToggle.hidden = !isAdmin;
  if (!isAdmin && admin.shown) adminView(false);
  if (isAdmin && (entered || load<string>('view', 'chat') === 'admin')) adminView(true);
  await loadModels();
}

function showError(error: unknown): void {
  status.textContent = (error as Error).message;
  if (!(error instanceof ApiError && error.status === 401)) return;
  // RGW_ADMIN_KEY reaches the admin API only: not a reason to ask for another key.
  if (isAdmin)
    status.textContent = 'This admin key cannot chat (use a gateway key for that); the Admin view works.';
  else keyDialog.showModal();
}

const keyInput = h('input', {
  type: 'password',
  id: 'api-key',
  autocomplete: 'off',
  'aria-label': 'API key',
});
const keyDialog = h(
  'dialog',
  { id: 'key-dialog' },
  h(
    'form',
    {
      method: 'dialog',
      onsubmit: () => {
        save('apiKey', keyInput.value.trim());
        checkKey(true);
      },
    },
    h('h2', {}, 'API key'),
    h(
      'p',
      { class: 'muted' },
      'A gateway key (kept in this browser only). Leave empty for an open local gateway.',
    ),
    keyInput,
    h('button', { type: 'submit' }, 'Save'),
  ),
);

async function loadModels(): Promise<void> {
  try {
    const models = await api<{ data: { id: string }[] }>('GET', '/models');
    modelList.replaceChildren(...models.data.map((m) => h('option', { value: m.id })));
    modelSelect.value = load<string>('model', '') || models.data[0]?.id || '';
    modelSelect.dataset.loaded = String(models.data.length);
    chat.model = modelSelect.value;
    status.textContent = '';
    await refreshVectorStores().catch(() => {});
  } catch (error) {
    showError(error);
  }
}

modelSelect.addEventListener('input', () => {
  chat.model = modelSelect.value;
  save('model', modelSelect.value);
});

function submit(): void {
  const text = input.value.trim();
  if (!text || chat.busy) return;
  input.value = '';
  chat.send(text, text).finally(() => input.focus());
}

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});
stopButton.addEventListener('click', () => chat.stop());

const tabs = panelTabs([
  ['Settings', optionsPanel()],
  ['Files', vectorStorePanel()],
  ['Events', inspector],
]);
inspectorView.reveal = () => {
  tabs.show('Events');
  document.body.classList.add('show-panel');
};

const toggle = (cls: string, label: string) =>
  h(
    'button',
    { class: 'icon toggle', 'aria-label': label, onclick: () => document.body.classList.toggle(cls) },
    label,
  );

$('#app').replaceChildren(
  h(
    'header',
    {},
    toggle('show-chats', 'Chats'),
    h('h1', {}, 'Playground'),
    modelSelect,
    modelList,
    adminToggle,
    h('button', { class: 'icon', onclick: () => keyDialog.showModal() }, 'Key'),
    toggle('show-panel', 'Settings'),
  ),
  h(
    'nav',
    { class: 'sidebar', 'aria-label': 'Chats' },
    h(
      'button',
      {
        id: 'new-chat',
        onclick: () => {
          chat.newChat();
          sidebar();
          input.focus();
        },
      },
      '+ New chat',
    ),
    sidebarList,
  ),
  h(
    'main',
    {},
    chat.log,
    h(
      'form',
      {
        class: 'composer',
        onsubmit: (event: Event) => {
          event.preventDefault();
          submit();
        },
      },
      input,
      h('div', { class: 'row' }, status, stopButton, sendButton),
    ),
  ),
  h('aside', { class: 'panel' }, tabs.el),
  admin.el,
  keyDialog,
);

chat.newChat();
sidebar();
if (localStorage.getItem('rgw.apiKey') == null) keyDialog.showModal();
else checkKey(false);
chat.resumePending().then(sidebar, showError);
input.focus();
