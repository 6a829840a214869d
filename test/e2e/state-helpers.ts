/** Shared helpers for the state suites (stored responses, chains, conversations, replay, restart). */
import { expect } from 'vitest';
import { type Harness, TEST_KEY } from '../helpers/gateway-harness.js';
import { sseBlocks } from '../helpers/sse.js';
import type { Any } from './stream-helpers.js';

/** DELETE with the test bearer; status and parsed body. */
export async function del(
  harness: Harness,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Any }> {
  const response = await fetch(harness.url + path, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${TEST_KEY}`, ...headers },
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** The `messages` the upstream received in its n-th (0-based; negative from the end) request. */
export function upstreamMessages(harness: Harness, n = -1): Any[] {
  const requests = harness.mock.requests;
  const request = requests.at(n);
  expect(request, `no upstream request #${n}`).toBeDefined();
  return request!.body.messages;
}

/** Upstream messages reduced to `role: text` lines, for order checks. */
export function transcript(messages: readonly Any[]): string[] {
  return messages.map((message) => {
    if (message.role === 'tool') return `tool(${message.tool_call_id}): ${String(message.content)}`;
    const calls = (message.tool_calls ?? []).map((call: Any) => ` call ${call.function.name}#${call.id}`);
    const content =
      typeof message.content === 'string'
        ? message.content
        : Array.isArray(message.content)
          ? message.content.map((part: Any) => part.text).join('')
          : '';
    return `${message.role}: ${content}${calls.join('')}`;
  });
}

/** `{"error":{"message","type","param","code"}}` and nothing else. */
export function expectError(
  result: { status: number; body: Any },
  status: number,
  expected: { type?: string; param?: string | null; code?: string | null } = {},
): void {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(Object.keys(result.body)).toEqual(['error']);
  expect(Object.keys(result.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(result.body.error.message).toEqual(expect.any(String));
  expect(result.body.error.type).toBe(expected.type ?? 'invalid_request_error');
  if (expected.param !== undefined) expect(result.body.error.param).toBe(expected.param);
  if (expected.code !== undefined) expect(result.body.error.code).toBe(expected.code);
}

/** Reads a streaming create event by event, calling `onEvent` before reading on. */
export async function streamEvents(
  harness: Harness,
  body: Record<string, unknown>,
  onEvent: (event: Any) => Promise<void> | void = () => {},
): Promise<Any[]> {
  const response = await fetch(`${harness.baseURL}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  expect(response.status).toBe(200);
  const events: Any[] = [];
  for await (const block of sseBlocks(response.body!)) {
    const data = block
      .split('\n')
      .find((line) => line.startsWith('data: '))
      ?.slice(6);
    if (data !== undefined) {
      const event = JSON.parse(data);
      events.push(event);
      await onEvent(event);
    }
  }
  return events;
}

/** The final Response of a stream read by `streamEvents`. */
export function finalResponse(events: readonly Any[]): Any {
  const terminal = events.at(-1);
  expect(terminal?.type).toMatch(/^response\.(completed|incomplete|failed)$/);
  return terminal.response;
}
