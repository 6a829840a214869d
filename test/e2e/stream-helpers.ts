/** Shared checks for the e2e suite: stream invariants and an independent fold. */
import { expect } from 'vitest';
import type { JsonBody } from '../helpers/json-body.js';
import type { StreamResult } from '../helpers/test-gateway.js';

/** Parsed wire JSON, as the e2e suites name it. */
export type Any = JsonBody;

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);
/** `response.<built-in item type>.<phase>`, e.g. `response.file_search_call.searching`. */
const HOSTED_PHASE =
  /^response\.(file_search_call|web_search_call|code_interpreter_call|image_generation_call|mcp_call|mcp_list_tools)\.(in_progress|searching|interpreting|generating|completed|failed)$/;
const HOSTED_ITEM =
  /^(file_search_call|web_search_call|code_interpreter_call|image_generation_call|mcp_call|mcp_list_tools|shell_call)$/;
/** Streamed fields of built-in items: the event's prefix → the field. */
const HOSTED_DELTAS: Record<string, string> = {
  'response.code_interpreter_call_code': 'code',
  'response.mcp_call_arguments': 'arguments',
};
/** Fields of built-in items that no event streams: they arrive with the item's done. */
const SET_AT_DONE: Record<string, readonly string[]> = {
  mcp_call: ['output', 'error'],
  mcp_list_tools: ['tools', 'error'],
};
/** Items OpenAI shows without a status. */
const STATUSLESS = new Set(['reasoning', 'mcp_list_tools', 'mcp_approval_request']);

/**
 * Checks what every stream must satisfy (framing, names, sequence numbers, lifecycle, item
 * bookkeeping), folds the deltas into output items independently of the gateway's reducer, checks
 * every `.done` event against that fold, and returns the fold's output.
 */
export function checkStream(result: StreamResult): Any[] {
  expect(result.status).toBe(200);
  expect(result.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(result.raw).not.toContain('\r');
  expect(result.raw.endsWith('\n\n')).toBe(true);
  // Each event is exactly `event: <type>\ndata: <json>`.
  for (const block of result.raw.split('\n\n').filter((b) => b !== '')) {
    expect(block).toMatch(/^event: [a-z_.]+\ndata: \{.*\}$/s);
    expect(block.split('\n')).toHaveLength(2);
  }
  const { events } = result;
  events.forEach((event, index) => {
    expect(event.event).toBe(event.data.type);
    expect(event.data.sequence_number).toBe(index);
  });
  expect(result.types[0]).toBe('response.created');
  expect(result.types[1]).toBe('response.in_progress');
  expect(TERMINAL.has(result.types.at(-1)!)).toBe(true);
  expect(result.types.filter((t) => TERMINAL.has(t) || t === 'response.created')).toHaveLength(2);
  const created = events[0]!.data.response;
  expect(created.status).toBe('in_progress');
  expect(created.output).toEqual([]);
  expect(created.usage).toBeNull();

  const output: Any[] = [];
  const done = new Set<number>();
  const itemAt = (data: Any): Any => {
    const item = output[data.output_index];
    expect(item, `${data.type}: no item at ${data.output_index}`).toBeDefined();
    expect(done.has(data.output_index), `${data.type} after output_item.done`).toBe(false);
    if (data.item_id !== undefined) expect(data.item_id).toBe(item.id);
    return item;
  };
  const contentAt = (data: Any): Any => {
    const part = itemAt(data).content?.[data.content_index];
    expect(part, `${data.type}: no part at ${data.content_index}`).toBeDefined();
    return part;
  };
  for (const { data } of events.slice(2, -1)) {
    switch (data.type) {
      case 'response.output_item.added':
        expect(data.output_index).toBe(output.length);
        expect(data.item.id).toMatch(
          /^(msg|fc|ctc|rs|fs|ws|ci|ig|mcp|mcpl|mcpr|sh|apc|lsh|cu|tsc)_[0-9a-f]{48}$/,
        );
        if (!STATUSLESS.has(data.item.type)) expect(data.item.status).toBe('in_progress');
        else if (data.item.type !== 'reasoning') expect(data.item).not.toHaveProperty('status');
        output.push(structuredClone(data.item));
        break;
      case 'response.output_item.done': {
        const item = itemAt(data);
        if (data.item.status !== undefined) item.status = data.item.status;
        else if (STATUSLESS.has(item.type)) delete item.status;
        for (const field of SET_AT_DONE[item.type] ?? [])
          if (field in data.item) item[field] = data.item[field];
        // A built-in call's results arrive with its done: fields it opened without (or null).
        if (HOSTED_ITEM.test(item.type)) {
          for (const [key, value] of Object.entries(data.item)) if (item[key] == null) item[key] = value;
        }
        expect(data.item).toEqual(item);
        done.add(data.output_index);
        break;
      }
      case 'response.content_part.added': {
        const item = itemAt(data);
        item.content ??= [];
        expect(data.content_index).toBe(item.content.length);
        item.content.push(structuredClone(data.part));
        break;
      }
      case 'response.content_part.done':
        expect(data.part).toEqual(contentAt(data));
        break;
      case 'response.output_text.delta': {
        const part = contentAt(data);
        expect(part.type).toBe('output_text');
        part.text += data.delta;
        if (part.logprobs) part.logprobs.push(...data.logprobs);
        break;
      }
      case 'response.output_text.done': {
        const part = contentAt(data);
        expect(data.text).toBe(part.text);
        expect(data.logprobs).toEqual(part.logprobs ?? []);
        break;
      }
      case 'response.output_text.annotation.added': {
        const part = contentAt(data);
        expect(data.annotation_index).toBe(part.annotations.length);
        part.annotations.push(structuredClone(data.annotation));
        break;
      }
      case 'response.refusal.delta':
        contentAt(data).refusal += data.delta;
        break;
      case 'response.refusal.done':
        expect(data.refusal).toBe(contentAt(data).refusal);
        break;
      case 'response.reasoning_text.delta':
        contentAt(data).text += data.delta;
        break;
      case 'response.reasoning_text.done':
        expect(data.text).toBe(contentAt(data).text);
        break;
      case 'response.reasoning_summary_part.added': {
        const item = itemAt(data);
        expect(data.summary_index).toBe(item.summary.length);
        item.summary.push(structuredClone(data.part));
        break;
      }
      case 'response.reasoning_summary_part.done':
        expect(data.part).toEqual(itemAt(data).summary[data.summary_index]);
        break;
      case 'response.reasoning_summary_text.delta':
        itemAt(data).summary[data.summary_index].text += data.delta;
        break;
      case 'response.reasoning_summary_text.done':
        expect(data.text).toBe(itemAt(data).summary[data.summary_index].text);
        break;
      case 'response.function_call_arguments.delta':
        itemAt(data).arguments += data.delta;
        break;
      case 'response.function_call_arguments.done': {
        const item = itemAt(data);
        expect(data.arguments).toBe(item.arguments);
        expect(data.name).toBe(item.name);
        break;
      }
      case 'response.custom_tool_call_input.delta':
        itemAt(data).input += data.delta;
        break;
      case 'response.custom_tool_call_input.done':
        expect(data.input).toBe(itemAt(data).input);
        break;
      case 'response.image_generation_call.partial_image':
        expect(itemAt(data).type).toBe('image_generation_call');
        expect(data.partial_image_index).toBeTypeOf('number');
        expect(data.partial_image_b64).toBeTypeOf('string');
        break;
      case 'response.apply_patch_call_operation_diff.delta':
        itemAt(data).operation.diff += data.delta;
        break;
      case 'response.apply_patch_call_operation_diff.done':
        expect(data.diff).toBe(itemAt(data).operation.diff);
        break;
      default: {
        const phase = HOSTED_PHASE.exec(data.type);
        if (phase) {
          expect(itemAt(data).type).toBe(phase[1]);
          break;
        }
        const field = HOSTED_DELTAS[data.type.replace(/\.(delta|done)$/, '')];
        if (field && data.type.endsWith('.delta')) {
          const item = itemAt(data);
          item[field] = (item[field] ?? '') + data.delta;
          break;
        }
        if (field) {
          expect(data[field]).toBe(itemAt(data)[field]);
          break;
        }
        throw new Error(`unexpected event in the middle of a stream: ${data.type}`);
      }
    }
  }
  const terminal = events.at(-1)!.data;
  if (terminal.type !== 'response.failed') {
    // Every item was closed before the response ended.
    expect([...done].sort()).toEqual(output.map((_, i) => i));
    expect(terminal.response.output).toEqual(output);
  }
  return output;
}

/** A Response with the values that differ between two runs of the same script blanked out. */
export function withoutIds(response: Any): Any {
  const copy = structuredClone(response);
  copy.id = 'resp';
  copy.created_at = 0;
  if (copy.completed_at != null) copy.completed_at = 0;
  for (const item of copy.output) item.id = item.type;
  return copy;
}
