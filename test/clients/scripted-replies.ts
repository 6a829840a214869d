/** Scripted upstream behaviours shared by the client suites (mock Chat Completions bodies in, replies out). */
import type { JsonBody } from '../helpers/json-body.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';

/** An upstream request body (Chat Completions JSON). */
export type Body = JsonBody;

let callCounter = 0;

/** A unique tool call id, like the upstream's `call_…`. */
export function callId(): string {
  callCounter += 1;
  return `call_${String(callCounter).padStart(6, '0')}`;
}

/** The upstream request's last message (Chat Completions shape). */
export function lastMessage(body: Body): Body {
  return Array.isArray(body?.messages) ? body.messages.at(-1) : undefined;
}

/** Names of the function tools offered to the upstream. */
export function toolNames(body: Body): string[] {
  return (Array.isArray(body?.tools) ? body.tools : []).map((tool: Body) => tool.function?.name ?? tool.name);
}

/**
 * Calls `name` with `args` until the request ends with a tool result, then answers `text` (which
 * may depend on the tool result).
 */
export function toolThenText(
  name: string,
  args: string,
  text: string | ((toolResult: string) => string),
  extra: Partial<Extract<MockReply, { kind: 'text' }>> = {},
): (body: Body) => MockReply {
  return (body) => {
    const last = lastMessage(body);
    if (last?.role === 'tool') {
      const result = typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
      return { kind: 'text', text: typeof text === 'function' ? text(result) : text, ...extra };
    }
    return { kind: 'text', text: '', toolCalls: [{ id: callId(), name, arguments: args }] };
  };
}

/** The system/developer text of an upstream request (the agent's instructions). */
export function systemText(body: Body): string {
  return (Array.isArray(body?.messages) ? body.messages : [])
    .filter((m: Body) => m.role === 'system' || m.role === 'developer')
    .map((m: Body) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
    .join('\n');
}
