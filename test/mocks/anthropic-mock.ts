/**
 * Scripted mock of Anthropic's Messages API (`POST /v1/messages`).
 *
 * A real node:http server on 127.0.0.1 speaking Anthropic's wire format: `message` JSON, or the
 * named SSE events (message_start, content_block_start/delta/stop, ping, message_delta,
 * message_stop, error). It checks what the real API checks most often (headers, `max_tokens`,
 * non-empty text, tool_result ids, thinking budget) and answers with Anthropic's error bodies.
 * Replies are scripted per request via `enqueue()` / `defaultReply`, including failures.
 */
import {
  asObject,
  dropAfterFlush,
  type Exchange,
  type RecordedRequest,
  randomId,
  roughTokens,
  type ScriptedFailure,
  type ScriptedMock,
  sendJson,
  sleep,
  splitPieces,
  startEventStream,
  startScriptedMock,
  textChars,
  writeFrames,
} from './mock-http.js';

export type { RecordedRequest } from './mock-http.js';

export type AnthropicMockBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown };

export interface AnthropicMockUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface AnthropicErrorInfo {
  type: string;
  message: string;
}

export type AnthropicMockReply =
  | {
      kind: 'text';
      /** The answer text (may be '' with tool calls). */
      text: string;
      /** A thinking block before the text (signature defaults to a fresh one). */
      thinking?: string | { thinking: string; signature: string };
      /** A redacted_thinking block before the text. */
      redactedThinking?: string;
      toolCalls?: Array<{ id?: string; name: string; input: unknown }>;
      /** Overrides all of the above with these blocks, in order. */
      content?: AnthropicMockBlock[];
      stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn';
      /** `null` reports zeros; `undefined` computes a rough default. */
      usage?: AnthropicMockUsage | null;
      /** Delay between stream events (and before a non-streaming answer). Default 0. */
      delayMs?: number;
      model?: string;
    }
  /** Streaming: the text so far, then an `error` event (alone when `afterText` is ''). */
  | { kind: 'stream-error'; afterText: string; error?: AnthropicErrorInfo }
  | ScriptedFailure;

export interface MockAnthropicUpstream extends ScriptedMock<AnthropicMockReply> {
  /** Server root, as ANTHROPIC_BASE_URL takes it, e.g. http://127.0.0.1:12345; requests: POST /v1/messages. */
  readonly url: string;
}

type Json = Record<string, unknown>;
type TextReply = Extract<AnthropicMockReply, { kind: 'text' }>;

const DEFAULT_REPLY: AnthropicMockReply = { kind: 'text', text: 'Hello from the Anthropic mock.' };

export function anthropicErrorBody(type: string, message: string): Json {
  return { type: 'error', error: { type, message } };
}

function errorFor(status: number): AnthropicErrorInfo {
  switch (status) {
    case 400:
      return { type: 'invalid_request_error', message: 'Invalid request.' };
    case 401:
      return { type: 'authentication_error', message: 'invalid x-api-key' };
    case 403:
      return {
        type: 'permission_error',
        message: 'Your API key does not have permission to use the specified resource.',
      };
    case 404:
      return { type: 'not_found_error', message: 'model: claude-unknown' };
    case 413:
      return { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' };
    case 429:
      return {
        type: 'rate_limit_error',
        message: 'This request would exceed the rate limit for your organization of 50 requests per minute.',
      };
    case 529:
      return { type: 'overloaded_error', message: 'Overloaded' };
    default:
      return status >= 500
        ? { type: 'api_error', message: 'Internal server error' }
        : { type: 'invalid_request_error', message: `Request failed with status ${status}.` };
  }
}

function commonHeaders(): Record<string, string> {
  return { 'request-id': `req_${randomId(24)}`, 'anthropic-organization-id': 'org-mock' };
}

function sse(event: string, data: Json): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function newSignature(): string {
  return Buffer.from(randomId(48)).toString('base64');
}

/** The reply's content blocks, in order. */
function blocksOf(reply: TextReply): AnthropicMockBlock[] {
  if (reply.content) {
    return reply.content.map((b) =>
      b.type === 'tool_use' && b.id === undefined ? { ...b, id: `toolu_${randomId(24)}` } : b,
    );
  }
  const blocks: AnthropicMockBlock[] = [];
  if (reply.thinking !== undefined) {
    blocks.push(
      typeof reply.thinking === 'string'
        ? { type: 'thinking', thinking: reply.thinking, signature: newSignature() }
        : { type: 'thinking', ...reply.thinking },
    );
  }
  if (reply.redactedThinking !== undefined)
    blocks.push({ type: 'redacted_thinking', data: reply.redactedThinking });
  if (reply.text !== '') blocks.push({ type: 'text', text: reply.text });
  for (const call of reply.toolCalls ?? [])
    blocks.push({
      type: 'tool_use',
      id: call.id ?? `toolu_${randomId(24)}`,
      name: call.name,
      input: call.input,
    });
  return blocks;
}

function stopReasonOf(reply: TextReply, blocks: readonly AnthropicMockBlock[]): string {
  return reply.stopReason ?? (blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
}

function usageOf(reply: TextReply, body: Json, blocks: readonly AnthropicMockBlock[]): Json {
  if (reply.usage === null) return { input_tokens: 0, output_tokens: 0 };
  const output = blocks.reduce(
    (n, b) =>
      n +
      (b.type === 'text'
        ? b.text.length
        : b.type === 'thinking'
          ? b.thinking.length
          : b.type === 'tool_use'
            ? JSON.stringify(b.input).length
            : 0),
    0,
  );
  return {
    input_tokens: reply.usage?.input_tokens ?? roughTokens(textChars(body.messages) + textChars(body.system)),
    cache_creation_input_tokens: reply.usage?.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: reply.usage?.cache_read_input_tokens ?? 0,
    output_tokens: reply.usage?.output_tokens ?? roughTokens(output),
    service_tier: 'standard',
  };
}

function modelOf(reply: TextReply, body: Json): string {
  return reply.model ?? (typeof body.model === 'string' ? body.model : 'claude-mock');
}

function buildMessage(reply: TextReply, body: Json): Json {
  const blocks = blocksOf(reply);
  return {
    id: `msg_${randomId(24)}`,
    type: 'message',
    role: 'assistant',
    model: modelOf(reply, body),
    content: blocks,
    stop_reason: stopReasonOf(reply, blocks),
    stop_sequence: null,
    usage: usageOf(reply, body, blocks),
  };
}

/** The SSE frames of a streamed reply; `partial` stops after the content (no message_delta/stop). */
function buildFrames(reply: TextReply, body: Json, partial = false): string[] {
  const blocks = blocksOf(reply);
  const usage = usageOf(reply, body, blocks);
  const frames: string[] = [
    sse('message_start', {
      type: 'message_start',
      message: {
        id: `msg_${randomId(24)}`,
        type: 'message',
        role: 'assistant',
        model: modelOf(reply, body),
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
  ];
  blocks.forEach((block, index) => {
    const delta = (d: Json) => sse('content_block_delta', { type: 'content_block_delta', index, delta: d });
    if (block.type === 'text') {
      frames.push(
        sse('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'text', text: '' },
        }),
      );
      for (const piece of splitPieces(block.text, 3)) frames.push(delta({ type: 'text_delta', text: piece }));
    } else if (block.type === 'thinking') {
      frames.push(
        sse('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        }),
      );
      for (const piece of splitPieces(block.thinking, 3))
        frames.push(delta({ type: 'thinking_delta', thinking: piece }));
      frames.push(delta({ type: 'signature_delta', signature: block.signature }));
    } else if (block.type === 'redacted_thinking') {
      frames.push(sse('content_block_start', { type: 'content_block_start', index, content_block: block }));
    } else {
      frames.push(
        sse('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        }),
      );
      frames.push(delta({ type: 'input_json_delta', partial_json: '' }));
      const json = JSON.stringify(block.input ?? {});
      for (const piece of splitPieces(json === '{}' ? '' : json, 3))
        frames.push(delta({ type: 'input_json_delta', partial_json: piece }));
    }
    frames.push(sse('content_block_stop', { type: 'content_block_stop', index }));
    if (index === 0) frames.push(sse('ping', { type: 'ping' }));
  });
  if (partial) return frames;
  frames.push(
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReasonOf(reply, blocks), stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    sse('message_stop', { type: 'message_stop' }),
  );
  return frames;
}

/** Frames for `afterText` of a text answer, without its end (for stream-error / drop / truncate). */
function partialFrames(afterText: string, body: Json): string[] {
  const frames = buildFrames({ kind: 'text', text: afterText }, body, true);
  // Leave the text block open: drop its content_block_stop (and the ping after it).
  while (
    !/^event: (content_block_delta|message_start)\n/.test(
      frames[frames.length - 1] ?? 'event: message_start\n',
    )
  )
    frames.pop();
  return frames;
}

/** What the real API refuses most often, as it words it; undefined when the request is fine. */
function validate(body: unknown, headers: RecordedRequest['headers']): AnthropicErrorInfo | undefined {
  const invalid = (message: string) => ({ type: 'invalid_request_error', message });
  if (headers['anthropic-version'] === undefined) return invalid('anthropic-version: header is required');
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return invalid('Request body must be JSON.');
  const b = body as Json;
  if (typeof b.model !== 'string') return invalid('model: Field required');
  if (typeof b.max_tokens !== 'number') return invalid('max_tokens: Field required');
  if (!Array.isArray(b.messages) || b.messages.length === 0)
    return invalid('messages: at least one message is required');
  const thinking = asObject(b.thinking);
  if (thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || budget < 1024)
      return invalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if (budget >= b.max_tokens) return invalid('`max_tokens` must be greater than `thinking.budget_tokens`.');
  }
  let previousToolIds = new Set<string>();
  for (const [i, m] of b.messages.entries()) {
    const message = asObject(m);
    const content = Array.isArray(message.content)
      ? message.content
      : [{ type: 'text', text: message.content }];
    const toolIds = new Set<string>();
    for (const [j, c] of content.entries()) {
      const block = asObject(c);
      if (block.type === 'text' && block.text === '')
        return invalid('messages: text content blocks must be non-empty');
      if (block.type === 'tool_use') toolIds.add(String(block.id));
      if (block.type === 'tool_result' && !previousToolIds.has(String(block.tool_use_id))) {
        return invalid(
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
    }
    previousToolIds = message.role === 'assistant' ? toolIds : new Set();
  }
  return undefined;
}

export async function startMockAnthropicUpstream(
  options: { apiKey?: string } = {},
): Promise<MockAnthropicUpstream> {
  const answer = async (reply: AnthropicMockReply, body: Json, ex: Exchange): Promise<void> => {
    const { res } = ex;
    const stream = body.stream === true;
    switch (reply.kind) {
      case 'text': {
        const delayMs = reply.delayMs ?? 0;
        if (!stream) {
          if (delayMs > 0) await sleep(delayMs);
          if (!res.destroyed) sendJson(res, 200, buildMessage(reply, body), commonHeaders());
          return;
        }
        startEventStream(res, commonHeaders());
        if (await writeFrames(res, buildFrames(reply, body), delayMs)) res.end();
        return;
      }
      case 'http-error': {
        const info = errorFor(reply.status);
        sendJson(res, reply.status, reply.body ?? anthropicErrorBody(info.type, info.message), {
          ...commonHeaders(),
          ...reply.headers,
        });
        return;
      }
      case 'stream-error': {
        const error = reply.error ?? { type: 'overloaded_error', message: 'Overloaded' };
        if (!stream) {
          sendJson(
            res,
            error.type === 'overloaded_error' ? 529 : 500,
            anthropicErrorBody(error.type, error.message),
          );
          return;
        }
        startEventStream(res, commonHeaders());
        // An empty afterText: the error is the first event, as when Anthropic overloads right after the 200.
        const before = reply.afterText === '' ? [] : partialFrames(reply.afterText, body);
        if (await writeFrames(res, before, 0)) {
          res.end(sse('error', anthropicErrorBody(error.type, error.message)));
        }
        return;
      }
      case 'garbage':
        res.writeHead(reply.status ?? 200, {
          'content-type': stream ? 'text/event-stream; charset=utf-8' : 'application/json',
          ...commonHeaders(),
        });
        res.end(reply.body);
        return;
      case 'drop':
        if (stream && reply.afterText !== undefined) {
          startEventStream(res, commonHeaders());
          await writeFrames(res, partialFrames(reply.afterText, body), 0);
        }
        await dropAfterFlush(ex);
        return;
      case 'truncate':
        if (!stream) {
          const full = JSON.stringify(buildMessage({ kind: 'text', text: reply.afterText }, body));
          res.writeHead(200, { 'content-type': 'application/json', ...commonHeaders() });
          res.end(full.slice(0, Math.floor(full.length / 2)));
          return;
        }
        startEventStream(res, commonHeaders());
        if (await writeFrames(res, partialFrames(reply.afterText, body), 0)) res.end();
        return;
      case 'hang':
        return;
    }
  };

  const handle = async (ex: Exchange, nextReply: () => AnthropicMockReply): Promise<void> => {
    const { record, res } = ex;
    if (record.method !== 'POST' || record.path !== '/v1/messages') {
      sendJson(res, 404, anthropicErrorBody('not_found_error', 'Not Found'), commonHeaders());
      return;
    }
    if (options.apiKey !== undefined && record.headers['x-api-key'] !== options.apiKey) {
      sendJson(res, 401, anthropicErrorBody('authentication_error', 'invalid x-api-key'), commonHeaders());
      return;
    }
    const problem = validate(record.body, record.headers);
    if (problem) {
      sendJson(res, 400, anthropicErrorBody(problem.type, problem.message), commonHeaders());
      return;
    }
    await answer(nextReply(), record.body as Json, ex);
  };

  return startScriptedMock(DEFAULT_REPLY, handle, {
    failureBody: (message) => anthropicErrorBody('api_error', message),
  });
}

/** For tests that write raw frames: Anthropic's SSE framing. */
export function anthropicSse(event: string, data: Json): string {
  return sse(event, data);
}
