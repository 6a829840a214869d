/** One turn in the chat: the user's input, the streamed items, then usage, cost and latency. */
import { h } from './dom.js';
import { applyEvent, type Json, newTurn, type TurnState } from './fold.js';
import { costOf, formatUsd, type Price, priceOf, tokensOf } from './prices.js';
import { type ItemActions, renderItem } from './render-item.js';
import type { StreamEvent } from './sse.js';

export class TurnView {
  readonly state: TurnState = newTurn();
  readonly el: HTMLElement;
  private readonly itemsEl = h('div', { class: 'items', 'aria-live': 'polite' });
  private readonly footer = h('div', { class: 'turn-footer muted' });
  private scheduled = false;
  private drawn: { key: string; el: HTMLElement }[] = [];
  /** The price of the model the response names, once asked: null when unknown. */
  private price: { model: string; value: Price | null } | undefined;

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
    this.footer.replaceChildren(...footer(state, this.priceFor(state.response)));
    this.el.dataset.status = String(state.response?.status ?? 'pending');
  }

  /** Asks for the price once the response has usage (then draws again); undefined until known. */
  private priceFor(response: Json | null): Price | null | undefined {
    const model = response?.usage ? response.model : undefined;
    if (typeof model !== 'string' || !model) return undefined;
    if (this.price?.model === model) return this.price.value;
    this.price = { model, value: null };
    priceOf(model).then((value) => {
      if (this.price?.model !== model) return;
      this.price.value = value;
      this.render();
    });
    return undefined;
  }
}

/** The status, the four token counts, the cost, the two latencies and the id, `·` between them. */
function footer(state: TurnState, price: Price | null | undefined): (HTMLElement | string)[] {
  const r: Json | null = state.response;
  const parts: HTMLElement[] = [];
  const field = (name: string, text: string, value?: number | string) =>
    parts.push(h('span', { 'data-field': name, 'data-value': value }, text));
  if (r?.status) field('status', r.status);
  if (r?.usage) {
    const tokens = tokensOf(r.usage);
    field('input', `in ${tokens.input}`, tokens.input);
    field('cached', `cached ${tokens.cached}`, tokens.cached);
    field('output', `out ${tokens.output}`, tokens.output);
    field('reasoning', `reasoning ${tokens.reasoning}`, tokens.reasoning);
    if (price) {
      const usd = costOf(price, tokens);
      field('cost', formatUsd(usd), usd);
      parts
        .at(-1)
        ?.setAttribute(
          'title',
          `${r.model}: $${price.input} in, $${price.cached_input} cached, $${price.output} out per 1M tokens`,
        );
    }
  }
  if (state.firstTokenAt != null) {
    const ms = Math.round(state.firstTokenAt - state.startedAt);
    field('ttft', `first token ${ms} ms`, ms);
  }
  if (state.endedAt != null) {
    const ms = Math.round(state.endedAt - state.startedAt);
    field('total', `total ${ms} ms`, ms);
  }
  if (r?.id) field('id', r.id);
  if (!parts.length) return ['waiting…'];
  return parts.flatMap((part, i) => (i === 0 ? [part] : [' · ', part]));
}
