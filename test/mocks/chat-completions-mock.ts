/**
 * Scripted mock of an OpenAI-compatible Chat Completions server.
 *
 * A real node:http server on 127.0.0.1 (ephemeral port) speaking the OpenAI wire format
 * (`chat.completion` / `chat.completion.chunk` SSE), used by integration tests and benchmarks.
 * Replies are scripted per request via `enqueue()` / `defaultReply`, including failure modes
 * (HTTP errors, mid-stream errors, garbage bodies, dropped sockets, truncated streams, hangs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerEmbeddings } from './fake-embeddings.js';
import {
  asObject,
  dropAfterFlush,
  type Exchange,
  randomId,
  roughTokens,
  type ScriptedFailure,
  type ScriptedMock,
  sendJson,
  sleep,
  splitPieces,
  startEventStream,
  startScriptedMock,
  writeFrames,
} from './mock-http.js';

export type { RecordedRequest } from './mock-http.js';

export interface MockToolCall {
  id: string;
  name: string;
  /** JSON arguments for function tools; the raw custom input for `type: 'custom'`. */
  arguments: string;
  type?: 'function' | 'custom';
}

export type MockReply =
  | {
      kind: 'text';
      text: string;
      /** Streaming only: the exact content deltas (default: `text` split into ~3 pieces). */
      chunks?: string[];
      reasoning?: string;
      reasoningField?: 'reasoning_content' | 'reasoning';
      refusal?: string;
      toolCalls?: MockToolCall[];
      finishReason?: 'stop' | 'length' | 'content_filter' | 'tool_calls';
      /** `null` omits usage entirely; `undefined` computes a rough default. */
      usage?: {
        prompt_tokens: number;
        completion_tokens: number;
        cached_tokens?: number;
        reasoning_tokens?: number;
      } | null;
      /** Attach logprobs (default: whether the request asked for `logprobs: true`). */
      logprobs?: boolean;
      /** Delay between stream chunks (and before a non-streaming answer). Default 0. */
      delayMs?: number;
      model?: string;
    }
  | { kind: 'stream-error'; afterText: string; error: { message: string; type?: string; code?: string } }
  | ScriptedFailure;

export interface MockChatUpstream extends ScriptedMock<MockReply> {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:12345/v1; recorded requests: POST /v1/chat/completions. */
  readonly baseUrl: string;
}

type TextReply = Extract<MockReply, { kind: 'text' }>;
type Json = Record<string, unknown>;

const DEFAULT_REPLY: MockReply = { kind: 'text', text: 'Hello from the mock upstream.' };
const SYSTEM_FINGERPRINT = 'fp_mock0001';
/** Rough character count of the request's message text. */
function promptChars(body: Json): number {
  let chars = 0;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) {
    const msg = asObject(m);
    const content = msg.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        const p = asObject(part);
        if (typeof p.text === 'string') chars += p.text.length;
        if (typeof p.refusal === 'string') chars += p.refusal.length;
      }
    }
    if (Array.isArray(msg.tool_calls)) {
      for (const tc of msg.tool_calls) {
        const t = asObject(tc);
        const args = asObject(t.function).arguments ?? asObject(t.custom).input;
        if (typeof args === 'string') chars += args.length;
      }
    }
  }
  return chars;
}

function errorTypeFor(status: number): { type: string; code: string | null; message: string } {
  switch (status) {
    case 400:
      return { type: 'invalid_request_error', code: null, message: 'Invalid request.' };
    case 401:
      return {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        message:
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
      };
    case 403:
      return {
        type: 'invalid_request_error',
        code: 'unsupported_country_region_territory',
        message: 'Country, region, or territory not supported',
      };
    case 404:
      return {
        type: 'invalid_request_error',
        code: 'model_not_found',
        message: 'The model `mock-model` does not exist or you do not have access to it.',
      };
    case 408:
      return { type: 'server_error', code: null, message: 'Request timed out.' };
    case 409:
      return { type: 'invalid_request_error', code: null, message: 'Conflict.' };
    case 422:
      return { type: 'invalid_request_error', code: null, message: 'Unprocessable entity.' };
    case 429:
      return {
        type: 'requests',
        code: 'rate_limit_exceeded',
        message:
          'Rate limit reached for mock-model in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
      };
    case 503:
      return { type: 'server_error', code: null, message: 'The server is overloaded or not ready yet.' };
    default:
      return status >= 500
        ? {
            type: 'server_error',
            code: null,
            message: 'The server had an error while processing your request. Sorry about that!',
          }
        : { type: 'invalid_request_error', code: null, message: `Request failed with status ${status}.` };
  }
}

function openAiErrorBody(status: number): Json {
  const { type, code, message } = errorTypeFor(status);
  return { error: { message, type, param: null, code } };
}

function tokenLogprob(token: string, index: number, topCount: number): Json {
  const logprob = -0.01 * (index + 1);
  const top: Json[] = [];
  for (let j = 0; j < topCount; j++) {
    const alt = j === 0 ? token : `${token}~${j}`;
    top.push({
      token: alt,
      logprob: j === 0 ? logprob : logprob - 1.5 * j,
      bytes: [...Buffer.from(alt, 'utf8')],
    });
  }
  return { token, logprob, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: top };
}

function usageObject(reply: TextReply, body: Json): Json | null {
  if (reply.usage === null) return null;
  const reasoningTokens =
    reply.usage?.reasoning_tokens ?? (reply.reasoning ? roughTokens(reply.reasoning.length) : 0);
  let prompt: number;
  let completion: number;
  if (reply.usage) {
    prompt = reply.usage.prompt_tokens;
    completion = reply.usage.completion_tokens;
  } else {
    prompt = roughTokens(promptChars(body));
    const visibleChars =
      reply.text.length +
      (reply.refusal?.length ?? 0) +
      (reply.toolCalls ?? []).reduce((n, tc) => n + tc.name.length + tc.arguments.length, 0);
    completion = roughTokens(visibleChars) + reasoningTokens;
  }
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: reply.usage?.cached_tokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function wantsLogprobs(reply: TextReply, body: Json): boolean {
  return reply.logprobs ?? body.logprobs === true;
}

function topLogprobsCount(body: Json): number {
  return typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
}

function contentPieces(reply: TextReply): string[] {
  return reply.chunks ?? splitPieces(reply.text, 3);
}

function buildCompletion(reply: TextReply, body: Json): Json {
  const toolCalls = reply.toolCalls ?? [];
  const message: Json = {
    role: 'assistant',
    content: reply.text === '' && (toolCalls.length > 0 || reply.refusal) ? null : reply.text,
    refusal: reply.refusal ?? null,
  };
  if (reply.reasoning !== undefined) message[reply.reasoningField ?? 'reasoning_content'] = reply.reasoning;
  if (toolCalls.length > 0) {
    message.tool_calls = toolCalls.map((tc) =>
      tc.type === 'custom'
        ? { id: tc.id, type: 'custom', custom: { name: tc.name, input: tc.arguments } }
        : { id: tc.id, type: 'function', function: { name: tc.name, arguments: tc.arguments } },
    );
  }
  message.annotations = [];
  let logprobs: Json | null = null;
  if (wantsLogprobs(reply, body)) {
    const top = topLogprobsCount(body);
    logprobs = {
      content: contentPieces(reply).map((p, i) => tokenLogprob(p, i, top)),
      refusal: reply.refusal ? splitPieces(reply.refusal, 3).map((p, i) => tokenLogprob(p, i, top)) : null,
    };
  }
  const completion: Json = {
    id: `chatcmpl-${randomId(29)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model ?? (typeof body.model === 'string' ? body.model : 'mock-model'),
    choices: [
      {
        index: 0,
        message,
        logprobs,
        finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  const usage = usageObject(reply, body);
  if (usage) completion.usage = usage;
  return completion;
}

/** Builds the SSE chunk sequence (without `[DONE]`) for a text reply. */
function buildChunks(reply: TextReply, body: Json): Json[] {
  const includeUsage = asObject(body.stream_options).include_usage === true;
  const id = `chatcmpl-${randomId(29)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = reply.model ?? (typeof body.model === 'string' ? body.model : 'mock-model');
  const logprobs = wantsLogprobs(reply, body);
  const top = topLogprobsCount(body);
  const chunk = (delta: Json, extra: Json = {}): Json => {
    const c: Json = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...extra }],
    };
    if (includeUsage) c.usage = null;
    return c;
  };

  const out: Json[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  if (reply.reasoning) {
    const field = reply.reasoningField ?? 'reasoning_content';
    for (const piece of splitPieces(reply.reasoning, 3)) out.push(chunk({ [field]: piece }));
  }
  contentPieces(reply).forEach((piece, i) => {
    out.push(
      chunk(
        { content: piece },
        logprobs ? { logprobs: { content: [tokenLogprob(piece, i, top)], refusal: null } } : {},
      ),
    );
  });
  if (reply.refusal) {
    splitPieces(reply.refusal, 3).forEach((piece, i) => {
      out.push(
        chunk(
          { refusal: piece },
          logprobs ? { logprobs: { content: null, refusal: [tokenLogprob(piece, i, top)] } } : {},
        ),
      );
    });
  }
  const toolCalls = reply.toolCalls ?? [];
  toolCalls.forEach((tc, index) => {
    const custom = tc.type === 'custom';
    out.push(
      chunk({
        tool_calls: [
          custom
            ? { index, id: tc.id, type: 'custom', custom: { name: tc.name, input: '' } }
            : { index, id: tc.id, type: 'function', function: { name: tc.name, arguments: '' } },
        ],
      }),
    );
    const pieces = splitPieces(tc.arguments, tc.arguments.length >= 12 ? 3 : 2);
    for (const piece of pieces) {
      out.push(
        chunk({
          tool_calls: [
            custom ? { index, custom: { input: piece } } : { index, function: { arguments: piece } },
          ],
        }),
      );
    }
  });
  out.push(
    chunk({}, { finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop') }),
  );
  const usage = includeUsage ? usageObject(reply, body) : null;
  if (usage) {
    out.push({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices: [],
      usage,
    });
  }
  return out;
}

/** Role chunk + content chunks for `afterText` (used by stream-error / drop / truncate). */
function partialChunks(afterText: string, body: Json): Json[] {
  const all = buildChunks({ kind: 'text', text: afterText, usage: null }, body);
  // drop the finish chunk (always last since usage is null)
  return all.slice(0, -1);
}

function sse(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

function commonHeaders(): Record<string, string> {
  return {
    'x-request-id': `req_${randomId(24)}`,
    'openai-processing-ms': '1',
    'openai-version': '2020-10-01',
  };
}

/** JSON with OpenAI's response headers. */
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, body, { ...commonHeaders(), ...headers });
}

export async function startMockChatUpstream(options: { apiKey?: string } = {}): Promise<MockChatUpstream> {
  const stream = async (res: ServerResponse, chunks: Json[], delayMs: number): Promise<boolean> => {
    startEventStream(res, commonHeaders());
    return writeFrames(res, chunks.map(sse), delayMs);
  };

  const answer = async (reply: MockReply, body: Json, ex: Exchange): Promise<void> => {
    const { res } = ex;
    const streaming = body.stream === true;
    switch (reply.kind) {
      case 'text': {
        const delayMs = reply.delayMs ?? 0;
        if (!streaming) {
          if (delayMs > 0) await sleep(delayMs);
          if (res.destroyed) return;
          send(res, 200, buildCompletion(reply, body));
          return;
        }
        if (await stream(res, buildChunks(reply, body), delayMs)) {
          if (delayMs > 0) await sleep(delayMs);
          if (!res.destroyed) res.end(sse('[DONE]'));
        }
        return;
      }
      case 'http-error': {
        const headers = reply.headers ?? {};
        if (reply.body === undefined || typeof reply.body !== 'string') {
          send(res, reply.status, reply.body ?? openAiErrorBody(reply.status), headers);
          return;
        }
        let contentType = 'text/plain; charset=utf-8';
        try {
          JSON.parse(reply.body);
          contentType = 'application/json';
        } catch {
          // not JSON: keep text/plain
        }
        res.writeHead(reply.status, {
          'content-type': contentType,
          'content-length': Buffer.byteLength(reply.body),
          ...commonHeaders(),
          ...headers,
        });
        res.end(reply.body);
        return;
      }
      case 'stream-error': {
        const error = {
          message: reply.error.message,
          type: reply.error.type ?? 'server_error',
          param: null,
          code: reply.error.code ?? null,
        };
        if (!streaming) {
          send(res, 500, { error });
          return;
        }
        if (await stream(res, partialChunks(reply.afterText, body), 0)) res.end(sse({ error }));
        return;
      }
      case 'garbage': {
        res.writeHead(reply.status ?? 200, {
          'content-type': streaming ? 'text/event-stream; charset=utf-8' : 'application/json',
          ...commonHeaders(),
        });
        res.end(reply.body);
        return;
      }
      case 'drop': {
        if (streaming && reply.afterText !== undefined) {
          await stream(res, partialChunks(reply.afterText, body), 0);
        }
        await dropAfterFlush(ex);
        return;
      }
      case 'truncate': {
        if (!streaming) {
          const full = JSON.stringify(
            buildCompletion({ kind: 'text', text: reply.afterText, usage: null }, body),
          );
          res.writeHead(200, { 'content-type': 'application/json', ...commonHeaders() });
          res.end(full.slice(0, Math.floor(full.length / 2)));
          return;
        }
        if (await stream(res, partialChunks(reply.afterText, body), 0)) res.end();
        return;
      }
      case 'hang':
        return;
    }
  };

  const handle = async (ex: Exchange, nextReply: () => MockReply): Promise<void> => {
    const { req, res, record } = ex;
    if (options.apiKey !== undefined && !authorized(req, options.apiKey)) {
      send(res, 401, unauthorizedBody(req));
      return;
    }
    if (typeof record.body !== 'object' || record.body === null || Array.isArray(record.body)) {
      send(res, 400, {
        error: {
          message:
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
      return;
    }
    await answer(nextReply(), record.body as Json, ex);
  };

  /** Everything but POST /v1/chat/completions: the model list, embeddings, 404s; not recorded. */
  const unrecorded = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/v1/chat/completions') return false;
    if (method === 'POST' && path === '/v1/embeddings') {
      answerEmbeddings(req, res);
      return true;
    }
    req.resume();
    if (options.apiKey !== undefined && path.startsWith('/v1/') && !authorized(req, options.apiKey)) {
      send(res, 401, unauthorizedBody(req));
    } else if (method === 'GET' && path === '/v1/models') {
      send(res, 200, {
        object: 'list',
        data: [{ id: 'mock-model', object: 'model', created: 1700000000, owned_by: 'mock' }],
      });
    } else {
      send(res, 404, {
        error: {
          message: `Invalid URL (${method} ${path})`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }
    return true;
  };

  const mock = await startScriptedMock(DEFAULT_REPLY, handle, {
    failureBody: (message) => ({
      error: { message, type: 'server_error', param: null, code: null },
    }),
    unrecorded,
  });
  return Object.assign(mock, { baseUrl: `${mock.url}/v1` });
}

function authorized(req: IncomingMessage, apiKey: string): boolean {
  return req.headers.authorization === `Bearer ${apiKey}`;
}

function unauthorizedBody(req: IncomingMessage): Json {
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header;
  const masked = given.length > 8 ? `${given.slice(0, 3)}*********${given.slice(-4)}` : given;
  return {
    error: {
      message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    },
  };
}
