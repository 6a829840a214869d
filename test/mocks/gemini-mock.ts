/**
 * Scripted mock of the Gemini API (`POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent`, SSE with `?alt=sse`, a JSON array without).
 *
 * A real node:http server on 127.0.0.1 speaking Gemini's wire format (candidates with parts,
 * thought summaries, thoughtSignature, functionCall, usageMetadata, promptFeedback) and Google's
 * error bodies `{"error":{"code","message","status","details"}}`. SSE frames end in CRLF as
 * Google's do. Replies are scripted per request via `enqueue()` / `defaultReply`.
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

export interface GeminiMockUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
}

export interface GeminiErrorInfo {
  code: number;
  message: string;
  status: string;
  details?: unknown[];
}

export type GeminiMockReply =
  | {
      kind: 'text';
      text: string;
      /** Streaming only: the exact text pieces (default: `text` split into ~3). */
      chunks?: string[];
      /** Thought summary text (parts with `thought: true`) before the answer. */
      thoughts?: string;
      /** Put on the first function call, else on the first answer part. */
      thoughtSignature?: string;
      functionCalls?: Array<{ name: string; args: Record<string, unknown>; id?: string }>;
      finishReason?: string;
      /** `null` omits usageMetadata; `undefined` computes a rough default. */
      usage?: GeminiMockUsage | null;
      delayMs?: number;
      modelVersion?: string;
    }
  | { kind: 'blocked'; blockReason: string }
  | { kind: 'stream-error'; afterText: string; error?: GeminiErrorInfo }
  | ScriptedFailure;

export interface MockGeminiUpstream extends ScriptedMock<GeminiMockReply> {
  /** Server root, as GEMINI_BASE_URL takes it, e.g. http://127.0.0.1:12345; requests name the model and method in `path`. */
  readonly url: string;
}

type Json = Record<string, unknown>;
type TextReply = Extract<GeminiMockReply, { kind: 'text' }>;

const DEFAULT_REPLY: GeminiMockReply = { kind: 'text', text: 'Hello from the Gemini mock.' };
const PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

export function geminiErrorBody(error: GeminiErrorInfo): Json {
  return {
    error: {
      code: error.code,
      message: error.message,
      status: error.status,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

function errorFor(status: number): GeminiErrorInfo {
  switch (status) {
    case 400:
      return { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' };
    case 403:
      return { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' };
    case 404:
      return {
        code: 404,
        message:
          'models/gemini-unknown is not found for API version v1beta, or is not supported for generateContent.',
        status: 'NOT_FOUND',
      };
    case 429:
      return {
        code: 429,
        message: 'You exceeded your current quota, please check your plan and billing details.',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }],
      };
    case 503:
      return {
        code: 503,
        message: 'The model is overloaded. Please try again later.',
        status: 'UNAVAILABLE',
      };
    default:
      return status >= 500
        ? { code: status, message: 'An internal error has occurred.', status: 'INTERNAL' }
        : { code: status, message: `Request failed with status ${status}.`, status: 'FAILED_PRECONDITION' };
  }
}

const INVALID_KEY: GeminiErrorInfo = {
  code: 400,
  message: 'API key not valid. Please pass a valid API key.',
  status: 'INVALID_ARGUMENT',
  details: [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
  ],
};

function usageOf(reply: TextReply, body: Json): Json | undefined {
  if (reply.usage === null) return undefined;
  const prompt =
    reply.usage?.promptTokenCount ??
    roughTokens(textChars(body.contents) + textChars(body.systemInstruction));
  const candidates =
    reply.usage?.candidatesTokenCount ??
    roughTokens(
      reply.text.length + (reply.functionCalls ?? []).reduce((n, c) => n + JSON.stringify(c.args).length, 0),
    );
  const thoughts =
    reply.usage?.thoughtsTokenCount ?? (reply.thoughts ? roughTokens(reply.thoughts.length) : 0);
  const usage: Json = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
  if (reply.usage?.cachedContentTokenCount !== undefined)
    usage.cachedContentTokenCount = reply.usage.cachedContentTokenCount;
  return usage;
}

/** The response's parts, each chunk's parts when streamed (the last chunk holds the calls). */
function partGroups(reply: TextReply, stream: boolean): Json[][] {
  const groups: Json[][] = [];
  if (reply.thoughts) {
    const pieces = stream ? splitPieces(reply.thoughts, 2) : [reply.thoughts];
    for (const piece of pieces) groups.push([{ text: piece, thought: true }]);
  }
  const calls = reply.functionCalls ?? [];
  let signature = reply.thoughtSignature;
  const textPieces = stream
    ? (reply.chunks ?? splitPieces(reply.text, 3))
    : reply.text === ''
      ? []
      : [reply.text];
  for (const piece of textPieces) {
    const part: Json = { text: piece };
    if (signature !== undefined && calls.length === 0) {
      part.thoughtSignature = signature;
      signature = undefined;
    }
    groups.push([part]);
  }
  if (calls.length > 0) {
    groups.push(
      calls.map((call, i) => ({
        functionCall: { ...(call.id !== undefined ? { id: call.id } : {}), name: call.name, args: call.args },
        ...(i === 0 && signature !== undefined ? { thoughtSignature: signature } : {}),
      })),
    );
  }
  if (!stream) return [groups.flat()];
  return groups.length > 0 ? groups : [[{ text: '' }]];
}

function chunk(parts: Json[], reply: TextReply, extra: Json = {}): Json {
  return {
    candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }],
    modelVersion: reply.modelVersion ?? 'gemini-mock-001',
    responseId: randomId(20),
  };
}

function buildResponse(reply: TextReply, body: Json): Json {
  const response = chunk(partGroups(reply, false)[0] ?? [], reply, {
    finishReason: reply.finishReason ?? 'STOP',
  });
  const usage = usageOf(reply, body);
  if (usage) response.usageMetadata = usage;
  return response;
}

function buildChunks(reply: TextReply, body: Json): Json[] {
  const groups = partGroups(reply, true);
  const usage = usageOf(reply, body);
  return groups.map((parts, i) => {
    const last = i === groups.length - 1;
    const c = chunk(parts, reply, last ? { finishReason: reply.finishReason ?? 'STOP' } : {});
    if (usage) c.usageMetadata = last ? usage : { promptTokenCount: usage.promptTokenCount };
    return c;
  });
}

function frame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\r\n\r\n`;
}

/** What the real API refuses most often; undefined when the request is fine. */
function validate(body: unknown): GeminiErrorInfo | undefined {
  const invalid = (message: string): GeminiErrorInfo => ({ code: 400, message, status: 'INVALID_ARGUMENT' });
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return invalid('Invalid JSON payload received.');
  const contents = (body as Json).contents;
  if (!Array.isArray(contents) || contents.length === 0)
    return invalid('* GenerateContentRequest.contents: contents is not specified\n');
  for (const [i, c] of contents.entries()) {
    const content = asObject(c);
    if (content.role !== 'user' && content.role !== 'model')
      return invalid(`Please use a valid role: user, model. (contents[${i}].role)`);
    if (!Array.isArray(content.parts) || content.parts.length === 0)
      return invalid(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`);
    for (const p of content.parts) {
      if (asObject(p).text === '')
        return invalid(`Unable to submit request because it has an empty text parameter.`);
    }
  }
  return undefined;
}

export async function startMockGeminiUpstream(
  options: { apiKey?: string } = {},
): Promise<MockGeminiUpstream> {
  const answer = async (
    reply: GeminiMockReply,
    body: Json,
    ex: Exchange,
    stream: boolean,
    sse: boolean,
  ): Promise<void> => {
    const { res } = ex;
    const open = () =>
      sse ? startEventStream(res) : res.writeHead(200, { 'content-type': 'application/json' });
    // Streaming without alt=sse is one JSON array of the chunks.
    const send = async (chunks: Json[], delayMs: number, end = true) => {
      if (!sse) {
        const text = `[${chunks.map((c) => JSON.stringify(c)).join(',\r\n')}${end ? ']' : ''}`;
        res.end(text);
        return;
      }
      if ((await writeFrames(res, chunks.map(frame), delayMs)) && end) res.end();
    };
    switch (reply.kind) {
      case 'text': {
        const delayMs = reply.delayMs ?? 0;
        if (!stream) {
          if (delayMs > 0) await sleep(delayMs);
          if (!res.destroyed) sendJson(res, 200, buildResponse(reply, body));
          return;
        }
        open();
        await send(buildChunks(reply, body), delayMs);
        return;
      }
      case 'blocked': {
        const blocked = {
          promptFeedback: { blockReason: reply.blockReason },
          usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 },
          modelVersion: 'gemini-mock-001',
          responseId: randomId(20),
        };
        if (!stream) sendJson(res, 200, blocked);
        else {
          open();
          await send([blocked], 0);
        }
        return;
      }
      case 'http-error':
        sendJson(
          res,
          reply.status,
          reply.body ?? geminiErrorBody(errorFor(reply.status)),
          reply.headers ?? {},
        );
        return;
      case 'stream-error': {
        const error = reply.error ?? errorFor(503);
        if (!stream) {
          sendJson(res, error.code, geminiErrorBody(error));
          return;
        }
        open();
        await send([...partialChunks(reply.afterText, body), geminiErrorBody(error)], 0);
        return;
      }
      case 'garbage':
        res.writeHead(reply.status ?? 200, {
          'content-type': sse ? 'text/event-stream' : 'application/json',
        });
        res.end(reply.body);
        return;
      case 'drop':
        if (stream && reply.afterText !== undefined) {
          open();
          await send(partialChunks(reply.afterText, body), 0, false);
        }
        await dropAfterFlush(ex);
        return;
      case 'truncate':
        if (!stream) {
          const full = JSON.stringify(buildResponse({ kind: 'text', text: reply.afterText }, body));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(full.slice(0, Math.floor(full.length / 2)));
          return;
        }
        open();
        await send(partialChunks(reply.afterText, body), 0);
        return;
      case 'hang':
        return;
    }
  };

  const handle = async (ex: Exchange, nextReply: () => GeminiMockReply): Promise<void> => {
    const { record, res } = ex;
    const match = PATH.exec(record.path);
    if (record.method !== 'POST' || !match) {
      sendJson(
        res,
        404,
        geminiErrorBody({ code: 404, message: `Method not found: ${record.path}`, status: 'NOT_FOUND' }),
      );
      return;
    }
    const key = record.headers['x-goog-api-key'] ?? record.query.get('key');
    if (options.apiKey !== undefined && key !== options.apiKey) {
      sendJson(res, 400, geminiErrorBody(INVALID_KEY));
      return;
    }
    const problem = validate(record.body);
    if (problem) {
      sendJson(res, 400, geminiErrorBody(problem));
      return;
    }
    const reply = nextReply();
    const stream = match[2] === 'streamGenerateContent';
    await answer(reply, record.body as Json, ex, stream, stream && record.query.get('alt') === 'sse');
  };

  return startScriptedMock(DEFAULT_REPLY, handle, {
    failureBody: (message) => geminiErrorBody({ code: 500, message, status: 'INTERNAL' }),
  });
}

/** The model named in a recorded request's path. */
export function modelOfRequest(request: RecordedRequest): string | undefined {
  return PATH.exec(request.path)?.[1];
}

function partialChunks(afterText: string, body: Json): Json[] {
  const reply: TextReply = { kind: 'text', text: afterText, usage: null };
  return buildChunks(reply, body).map((c) => {
    const candidate = asObject((c.candidates as Json[])[0]);
    delete candidate.finishReason;
    return c;
  });
}
