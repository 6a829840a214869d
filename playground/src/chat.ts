/**
 * The chat: a conversation (Conversations API) per chat, each turn a streamed create with
 * `conversation`, so approvals and function outputs continue it too. A background turn is
 * remembered with its events, and resumed after a reload from the last sequence number.
 */
import { ApiError, api, stream } from './api.js';
import { h } from './dom.js';
import type { Json } from './fold.js';
import { inspect, inspectorView } from './inspector.js';
import { options, requestFields } from './options.js';
import { type ItemActions, renderItem } from './render-item.js';
import { load, rememberChat, save } from './settings.js';
import type { StreamEvent } from './sse.js';
import { TurnView } from './turn-view.js';

interface Pending {
  responseId: string;
  chatId: string;
  events: StreamEvent[];
}

/** More events than this are not kept for a resume: the rest streams again from the server. */
const MAX_KEPT_EVENTS = 2000;

export class Chat {
  readonly log = h('div', { class: 'log', 'data-testid': 'log' });
  chatId: string | null = null;
  model = '';
  private running: AbortController | null = null;
  private readonly answered = new Set<string>();
  private readonly actions: ItemActions = {
    approve: (id, approve) =>
      this.send(
        [{ type: 'mcp_approval_response', approval_request_id: id, approve }],
        approve ? 'Approved' : 'Denied',
        id,
      ),
    functionOutput: (callId, output) =>
      this.send([{ type: 'function_call_output', call_id: callId, output }], `Output for ${callId}`, callId),
  };

  constructor(
    private readonly onStatus: (busy: boolean) => void,
    private readonly onChatsChanged: () => void,
  ) {}

  get busy(): boolean {
    return this.running != null;
  }

  newChat(): void {
    this.stop();
    this.chatId = null;
    this.answered.clear();
    this.log.replaceChildren(h('p', { class: 'muted empty' }, 'Ask something to start a chat.'));
  }

  async open(id: string): Promise<void> {
    this.stop();
    this.chatId = id;
    this.answered.clear();
    const items = await api<{ data: Json[] }>('GET', `/conversations/${id}/items?order=asc&limit=100`);
    for (const item of items.data) {
      if (item.type === 'mcp_approval_response') this.answered.add(item.approval_request_id);
      if (item.type === 'function_call_output') this.answered.add(item.call_id);
    }
    this.log.replaceChildren(
      h(
        'div',
        { class: 'history' },
        ...items.data.map((item) => renderItem(item, this.actions, this.answered)),
      ),
    );
  }

  stop(): void {
    this.running?.abort();
    this.running = null;
    this.onStatus(false);
  }

  /** Sends user text (or items) as the next turn of this chat. */
  async send(input: string | Json[], label: string, answers?: string): Promise<void> {
    if (this.running) return;
    let fields: Record<string, unknown>;
    try {
      fields = requestFields();
    } catch (error) {
      this.log.append(h('p', { class: 'error', role: 'alert' }, (error as Error).message));
      return;
    }
    if (answers) this.answered.add(answers);
    const turn = this.addTurn(typeof input === 'string' ? input : label);
    try {
      if (!this.chatId) {
        const conversation = await api<{ id: string }>('POST', '/conversations', {});
        this.chatId = conversation.id;
      }
      const title = typeof input === 'string' ? input.slice(0, 60) : label;
      const known = load<{ id: string; title: string }[]>('chats', []).find((c) => c.id === this.chatId);
      rememberChat({ id: this.chatId, title: known?.title ?? title, updated: Date.now() });
      this.onChatsChanged();
      const body = { model: this.model, input, conversation: this.chatId, stream: true, ...fields };
      await this.run(turn, (signal) => stream('/responses', body, signal), Boolean(fields.background));
    } catch (error) {
      turn.fail(message(error));
    }
  }

  /** After a reload: the pending background turn, replayed and then followed live. */
  async resumePending(): Promise<void> {
    const pending = load<Pending | null>('pending', null);
    if (!pending) return;
    try {
      await this.open(pending.chatId);
    } catch {
      this.log.replaceChildren();
    }
    this.chatId = pending.chatId;
    const after = pending.events.at(-1)?.sequence_number ?? -1;
    const turn = this.addTurn(null, `resumed ${pending.responseId} after event #${after}`);
    for (const event of pending.events) turn.apply(event);
    try {
      await this.run(
        turn,
        (signal) =>
          stream(`/responses/${pending.responseId}?stream=true&starting_after=${after}`, undefined, signal),
        true,
      );
    } catch (error) {
      save('pending', undefined);
      turn.fail(message(error));
    }
  }

  private addTurn(userText: string | null, note?: string): TurnView {
    this.log.querySelector('.empty')?.remove();
    const onInspect = (t: TurnView) => {
      this.inspectTurn(t);
      inspectorView.reveal();
    };
    const turn = new TurnView(userText, this.actions, this.answered, onInspect, note);
    this.log.append(turn.el);
    this.inspectTurn(turn);
    turn.el.scrollIntoView({ block: 'end' });
    return turn;
  }

  private inspectTurn(turn: TurnView): void {
    inspect(turn.state.events, turn.responseId ?? 'this turn');
  }

  private async run(
    turn: TurnView,
    open: (signal: AbortSignal) => AsyncGenerator<StreamEvent>,
    background: boolean,
  ): Promise<void> {
    const controller = new AbortController();
    this.running = controller;
    this.onStatus(true);
    try {
      for await (const event of open(controller.signal)) {
        turn.apply(event);
        if (background && turn.responseId && this.chatId) {
          save('pending', {
            responseId: turn.responseId,
            chatId: this.chatId,
            events: turn.state.events.slice(-MAX_KEPT_EVENTS),
          } satisfies Pending);
        }
        if (turn.el.closest('.log') === this.log) this.inspectTurn(turn);
      }
      save('pending', undefined);
    } catch (error) {
      if (controller.signal.aborted) {
        turn.fail('stopped');
        if (background && turn.responseId)
          await api('POST', `/responses/${turn.responseId}/cancel`).catch(() => {});
        save('pending', undefined);
      } else throw error;
    } finally {
      turn.finish();
      if (this.running === controller) {
        this.running = null;
        this.onStatus(false);
      }
    }
    if (options.background) this.onChatsChanged();
  }
}

function message(error: unknown): string {
  if (error instanceof ApiError) return `${error.status}: ${error.message}`;
  return (error as Error).message;
}
