/** One turn in the chat: the user's input, the streamed items, then usage and latency. */
import { h } from './dom.js';
import { applyEvent, type Json, newTurn, type TurnState } from './fold.js';
import { type ItemActions, renderItem } from './render-item.js';
import type { StreamEvent } from './sse.js';

export class TurnView {
  readonly state: TurnState = newTurn();
  readonly el: HTMLElement;
  private readonly itemsEl = h('div', { class: 'items', 'aria-live': 'polite' });
  private readonly footer = h('div', { class: 'turn-footer muted' });
  private scheduled = false;
  private drawn: { key: string; el: HTMLElement }[] = [];

  constructor(
    userText: string | null,
    private readonly actions: ItemActions,
    private readonly answered: Set<string>,
    onInspect: (turn: TurnView) => void,
    note?: string,
  ) {
    this.el = h(
      'article',
      { class: 'turn', 'data-testid': 'turn' },
      userText != null
        ? h(
            'div',
            { class: 'item message user', 'data-role': 'user' },
            h('div', { class: 'role' }, 'user'),
            h('div', { class: 'text' }, userText),
          )
        : null,
      note ? h('p', { class: 'muted note' }, note) : null,
      this.itemsEl,
      h(
        'div',
        { class: 'row' },
        this.footer,
        h('button', { class: 'link', onclick: () => onInspect(this) }, 'Inspect events'),
      ),
    );
    this.footer.textContent = 'waiting…';
  }

  apply(event: StreamEvent): void {
    applyEvent(this.state, event);
    // Deltas come faster than frames: draw at most once per frame.
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  fail(message: string): void {
    this.state.error = message;
    this.render();
  }

  finish(): void {
    this.state.endedAt = performance.now();
    this.render();
  }

  get responseId(): string | null {
    return (this.state.response?.id as string | undefined) ?? null;
  }

  render(): void {
    const { state } = this;
    // An item that did not change keeps its element: its open/closed state and any typing in it.
    const drawn = state.items.filter(Boolean).map((item, index) => {
      const key = JSON.stringify(item);
      const cached = this.drawn[index];
      if (cached?.key === key) return cached;
      return { key, el: renderItem(item, this.actions, this.answered) };
    });
    this.drawn = drawn;
    this.itemsEl.replaceChildren(...drawn.map((d) => d.el));
    if (state.error) this.itemsEl.append(h('p', { class: 'error', role: 'alert' }, state.error));
    this.footer.textContent = footerText(state);
    this.el.dataset.status = String(state.response?.status ?? 'pending');
  }
}

function footerText(state: TurnState): string {
  const r: Json | null = state.response;
  const parts: string[] = [];
  if (r?.status) parts.push(r.status);
  const usage = r?.usage;
  if (usage) {
    const reasoning = usage.output_tokens_details?.reasoning_tokens;
    const cached = usage.input_tokens_details?.cached_tokens;
    parts.push(
      `tokens in ${usage.input_tokens}${cached ? ` (${cached} cached)` : ''} · out ${usage.output_tokens}${reasoning ? ` (${reasoning} reasoning)` : ''}`,
    );
  }
  if (state.firstTokenAt != null)
    parts.push(`first token ${Math.round(state.firstTokenAt - state.startedAt)} ms`);
  if (state.endedAt != null) parts.push(`total ${Math.round(state.endedAt - state.startedAt)} ms`);
  if (r?.id) parts.push(r.id);
  return parts.join(' · ') || 'waiting…';
}
