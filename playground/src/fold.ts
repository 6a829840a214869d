/**
 * Folds a response's events into its output items as they arrive, as the gateway's reducer does:
 * whole items from `output_item.added/done` and any event carrying an `item`, deltas appended to
 * the part they name. Unknown event types still land in the inspector; unknown item types still
 * render (as JSON), so new tools show up without a playground change.
 */
import type { StreamEvent } from './sse.js';

export type Json = Record<string, any>;

export interface TurnState {
  response: Json | null;
  items: Json[];
  events: StreamEvent[];
  error: string | null;
  /** When the request left, the first output delta arrived, and the stream ended (ms). */
  startedAt: number;
  firstTokenAt: number | null;
  endedAt: number | null;
}

export function newTurn(): TurnState {
  return {
    response: null,
    items: [],
    events: [],
    error: null,
    startedAt: performance.now(),
    firstTokenAt: null,
    endedAt: null,
  };
}

function part(item: Json | undefined, list: 'content' | 'summary', index: number): Json | undefined {
  if (!item) return undefined;
  item[list] ??= [];
  item[list][index] ??= { type: list === 'summary' ? 'summary_text' : 'output_text', text: '' };
  return item[list][index];
}

export function applyEvent(turn: TurnState, event: StreamEvent): void {
  turn.events.push(event);
  const e = event as Json;
  const item = typeof e.output_index === 'number' ? turn.items[e.output_index] : undefined;
  if (e.type.endsWith('.delta') && turn.firstTokenAt == null) turn.firstTokenAt = performance.now();
  if (e.response && typeof e.response === 'object') {
    turn.response = e.response;
    if (Array.isArray(e.response.output) && e.response.output.length >= turn.items.length) {
      if (e.type !== 'response.created' && e.type !== 'response.in_progress') turn.items = e.response.output;
    }
  }
  if (e.item && typeof e.item === 'object' && typeof e.output_index === 'number') {
    turn.items[e.output_index] = structuredClone(e.item);
    return;
  }
  switch (e.type) {
    case 'response.content_part.added':
      if (item) {
        item.content ??= [];
        item.content[e.content_index] = structuredClone(e.part);
      }
      break;
    case 'response.output_text.delta': {
      const p = part(item, 'content', e.content_index);
      if (p) p.text = (p.text ?? '') + e.delta;
      break;
    }
    case 'response.refusal.delta': {
      const p = part(item, 'content', e.content_index);
      if (p) p.refusal = (p.refusal ?? '') + e.delta;
      break;
    }
    case 'response.output_text.annotation.added': {
      const p = part(item, 'content', e.content_index);
      if (p) {
        p.annotations ??= [];
        p.annotations.push(e.annotation);
      }
      break;
    }
    case 'response.reasoning_summary_text.delta': {
      const p = part(item, 'summary', e.summary_index);
      if (p) p.text = (p.text ?? '') + e.delta;
      break;
    }
    case 'response.reasoning_text.delta': {
      const p = part(item, 'content', e.content_index);
      if (p) p.text = (p.text ?? '') + e.delta;
      break;
    }
    case 'response.function_call_arguments.delta':
    case 'response.mcp_call_arguments.delta':
      if (item) item.arguments = (item.arguments ?? '') + e.delta;
      break;
    case 'response.custom_tool_call_input.delta':
      if (item) item.input = (item.input ?? '') + e.delta;
      break;
    case 'response.code_interpreter_call_code.delta':
      if (item) item.code = (item.code ?? '') + e.delta;
      break;
    case 'response.code_interpreter_call_code.done':
      if (item) item.code = e.code;
      break;
    case 'error':
      turn.error = String(e.message ?? e.error?.message ?? 'stream error');
      break;
    default:
      // A progress event (`response.<tool>_call.searching` and the like) names the item's status.
      if (item && /_call\.[a-z_]+$/.test(e.type) && !e.type.includes('delta')) {
        item.status = e.type.slice(e.type.lastIndexOf('.') + 1);
      }
  }
  if (e.type === 'response.failed' || e.type === 'response.incomplete') {
    const reason = e.response?.error?.message ?? e.response?.incomplete_details?.reason;
    if (reason) turn.error = `${e.type.slice(9)}: ${reason}`;
  }
}

/** The last sequence number seen, where a resumed stream starts after. */
export function lastSequence(turn: TurnState): number {
  const last = turn.events[turn.events.length - 1];
  return typeof last?.sequence_number === 'number' ? last.sequence_number : -1;
}
