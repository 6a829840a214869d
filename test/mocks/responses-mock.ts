/**
 * Scripted mock of an OpenAI Responses API server (`POST /v1/responses`).
 *
 * A real node:http server on 127.0.0.1 (ephemeral port) speaking OpenAI's Responses wire: streamed
 * events (`event: <type>` + `data: <json>`, `sequence_number` from 0) in OpenAI's order, whole
 * Response objects for non-streaming calls, and OpenAI's error bodies. Like OpenAI with
 * `store: false`, it refuses item references and reasoning it cannot decrypt, and only returns
 * `encrypted_content` when `include` asks for it. Replies are scripted per request via `enqueue()`
 * / `defaultReply`, including failure modes (HTTP errors, `error` events, `response.failed`,
 * garbage, dropped sockets, truncated streams, hangs).
 */
import { randomBytes } from 'node:crypto';
import {
  asObject,
  dropAfterFlush,
  type Exchange,
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

export interface MockResponsesToolCall {
  callId: string;
  name: string;
  /** JSON arguments for function tools; the raw input for `type: 'custom'`. */
  arguments: string;
  type?: 'function' | 'custom';
}

export type MockResponsesReply =
  | {
      kind: 'response';
      /** Output items come in this order: reasoning, one message (text, then refusal), tool calls. */
      text?: string;
      /** Streaming only: the exact text deltas (default: `text` split into ~3 pieces). */
      chunks?: string[];
      refusal?: string;
      reasoning?: {
        summary?: string[];
        /** Raw reasoning text (`reasoning_text` content), as open-weight models on aggregators send. */
        text?: string;
        /** Default: a fresh opaque token; null: none even when asked. Sent only when `include` asks. */
        encryptedContent?: string | null;
      };
      toolCalls?: MockResponsesToolCall[];
      /** A web_search the upstream ran itself (a passed-through tool), before the message. */
      webSearch?: { query: string; sources?: string[] };
      /**
       * Other built-in calls the upstream ran itself (file_search_call, code_interpreter_call,
       * image_generation_call), each its final fields: streamed as added, its phases, done.
       */
      hostedCalls?: Json[];
      /** The message's `phase` label, as gpt-5.3-codex and later send it. */
      phase?: 'commentary' | 'final_answer';
      /** Annotations of the text (its url_citations), announced after its deltas. */
      annotations?: Json[];
      /**
       * Client tool call items as OpenAI sends them (apply_patch_call, shell_call, computer_call, …),
       * after the tool calls; an apply_patch_call's diff streams in its diff events.
       */
      items?: Json[];
      status?: 'completed' | 'incomplete';
      incompleteReason?: 'max_output_tokens' | 'content_filter';
      /** `null` omits usage; `undefined` computes a rough default. */
      usage?: {
        input_tokens: number;
        output_tokens: number;
        cached_tokens?: number;
        reasoning_tokens?: number;
      } | null;
      /** Attach logprobs (default: whether `include` asks for `message.output_text.logprobs`). */
      logprobs?: boolean;
      /** Delay between stream events (and before a non-streaming answer). Default 0. */
      delayMs?: number;
      model?: string;
    }
  | { kind: 'failed'; afterText?: string; error: { code: string; message: string } }
  | { kind: 'stream-error'; afterText: string; error: { message: string; code?: string } }
  | ScriptedFailure;

export interface MockResponsesUpstream extends ScriptedMock<MockResponsesReply> {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:12345/v1; requests: POST /v1/responses. */
  readonly baseUrl: string;
  /** Encrypted reasoning tokens this mock handed out (and so accepts back). */
  readonly issuedEncryptedContent: ReadonlySet<string>;
}

type Json = Record<string, unknown>;
type ResponseReply = Extract<MockResponsesReply, { kind: 'response' }>;

const DEFAULT_REPLY: MockResponsesReply = {
  kind: 'response',
  text: 'Hello from the mock Responses upstream.',
};

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function includes(body: Json, what: string): boolean {
  return Array.isArray(body.include) && body.include.includes(what);
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null): Json {
  return { error: { message, type, param, code } };
}

function statusErrorBody(status: number): Json {
  if (status === 401)
    return errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
  if (status === 404)
    return errorBody(
      'The model `mock-model` does not exist or you do not have access to it.',
      'invalid_request_error',
      'model_not_found',
    );
  if (status === 429)
    return errorBody(
      'Rate limit reached for mock-model on requests per min (RPM): Limit 3, Used 3, Requested 1.',
      'requests',
      'rate_limit_exceeded',
    );
  if (status >= 500)
    return errorBody(
      'The server had an error while processing your request. Sorry about that!',
      'server_error',
      null,
    );
  return errorBody(`Request failed with status ${status}.`, 'invalid_request_error', null);
}

/** The builder of one reply's output items and events, shared by streaming and whole answers. */
class ReplyBuilder {
  readonly id = `resp_${hex(24)}`;
  readonly createdAt = Math.floor(Date.now() / 1000);
  readonly events: Json[] = [];
  readonly output: Json[] = [];

  constructor(
    private readonly body: Json,
    private readonly model: string,
    private readonly issue: (token: string) => void,
  ) {}

  response(status: string, extra: Json = {}): Json {
    const reasoning = asObject(this.body.reasoning);
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: this.body.max_output_tokens ?? null,
      model: this.model,
      output: status === 'in_progress' ? [] : structuredClone(this.output),
      parallel_tool_calls: this.body.parallel_tool_calls ?? true,
      previous_response_id: null,
      reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
      store: this.body.store ?? true,
      temperature: this.body.temperature ?? 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: this.body.tool_choice ?? 'auto',
      tools: this.body.tools ?? [],
      top_p: this.body.top_p ?? 1,
      truncation: 'disabled',
      usage: null,
      user: null,
      metadata: {},
      ...extra,
    };
  }

  event(type: string, data: Json): void {
    this.events.push({ type, sequence_number: this.events.length, ...data });
  }

  start(): void {
    this.event('response.created', { response: this.response('in_progress') });
    this.event('response.in_progress', { response: this.response('in_progress') });
  }

  reasoning(spec: NonNullable<ResponseReply['reasoning']>): void {
    const output_index = this.output.length;
    const item: Json = { id: `rs_${hex(24)}`, type: 'reasoning', summary: [] };
    const item_id = item.id;
    this.output.push(item);
    this.event('response.output_item.added', { output_index, item: { ...item, summary: [] } });
    (spec.summary ?? []).forEach((text, summary_index) => {
      const ref = { item_id, output_index, summary_index };
      this.event('response.reasoning_summary_part.added', {
        ...ref,
        part: { type: 'summary_text', text: '' },
      });
      for (const delta of splitPieces(text, 2))
        this.event('response.reasoning_summary_text.delta', { ...ref, delta, obfuscation: 'mock' });
      this.event('response.reasoning_summary_text.done', { ...ref, text });
      this.event('response.reasoning_summary_part.done', { ...ref, part: { type: 'summary_text', text } });
      (item.summary as Json[]).push({ type: 'summary_text', text });
    });
    if (spec.text !== undefined) {
      const ref = { item_id, output_index, content_index: 0 };
      this.event('response.content_part.added', { ...ref, part: { type: 'reasoning_text', text: '' } });
      for (const delta of splitPieces(spec.text, 2))
        this.event('response.reasoning_text.delta', { ...ref, delta });
      this.event('response.reasoning_text.done', { ...ref, text: spec.text });
      this.event('response.content_part.done', { ...ref, part: { type: 'reasoning_text', text: spec.text } });
      item.content = [{ type: 'reasoning_text', text: spec.text }];
    }
    if (includes(this.body, 'reasoning.encrypted_content') && spec.encryptedContent !== null) {
      const token = spec.encryptedContent ?? `gAAAAAB${randomBytes(48).toString('base64url')}`;
      this.issue(token);
      item.encrypted_content = token;
    }
    this.event('response.output_item.done', { output_index, item: structuredClone(item) });
  }

  message(
    text: string | undefined,
    chunks: string[] | undefined,
    refusal: string | undefined,
    logprobs: boolean,
    status: string,
    annotations: Json[] = [],
    phase?: string,
  ): void {
    const output_index = this.output.length;
    const item: Json = {
      id: `msg_${hex(24)}`,
      type: 'message',
      status: 'in_progress',
      content: [],
      role: 'assistant',
      ...(phase === undefined ? {} : { phase }),
    };
    const item_id = item.id;
    this.output.push(item);
    this.event('response.output_item.added', { output_index, item: { ...item, content: [] } });
    const content = item.content as Json[];
    if (text !== undefined) {
      const ref = { item_id, output_index, content_index: content.length };
      const pieces = chunks ?? splitPieces(text, 3);
      this.event('response.content_part.added', {
        ...ref,
        part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
      });
      const all: Json[] = [];
      pieces.forEach((delta, i) => {
        const lp = logprobs
          ? [
              {
                token: delta,
                logprob: -0.01 * (i + 1),
                top_logprobs: [{ token: delta, logprob: -0.01 * (i + 1) }],
              },
            ]
          : [];
        all.push(
          ...lp.map((l) => ({
            ...l,
            bytes: [...Buffer.from(delta)],
            top_logprobs: l.top_logprobs.map((t) => ({ ...t, bytes: [...Buffer.from(t.token)] })),
          })),
        );
        this.event('response.output_text.delta', { ...ref, delta, logprobs: lp, obfuscation: 'mock' });
      });
      annotations.forEach((annotation, annotation_index) => {
        this.event('response.output_text.annotation.added', { ...ref, annotation_index, annotation });
      });
      const part = { type: 'output_text', annotations, logprobs: all, text };
      this.event('response.output_text.done', { ...ref, text, logprobs: all });
      this.event('response.content_part.done', { ...ref, part });
      content.push(part);
    }
    if (refusal !== undefined) {
      const ref = { item_id, output_index, content_index: content.length };
      this.event('response.content_part.added', { ...ref, part: { type: 'refusal', refusal: '' } });
      for (const delta of splitPieces(refusal, 2)) this.event('response.refusal.delta', { ...ref, delta });
      this.event('response.refusal.done', { ...ref, refusal });
      this.event('response.content_part.done', { ...ref, part: { type: 'refusal', refusal } });
      content.push({ type: 'refusal', refusal });
    }
    item.status = status;
    this.event('response.output_item.done', { output_index, item: structuredClone(item) });
  }

  /** A web_search_call as OpenAI streams one it runs: added, its phases, done. */
  webSearch(search: { query: string; sources?: string[] }): void {
    const output_index = this.output.length;
    const item: Json = { id: `ws_${hex(24)}`, type: 'web_search_call', status: 'in_progress' };
    const ref = { item_id: item.id, output_index };
    this.output.push(item);
    this.event('response.output_item.added', { output_index, item: { ...item } });
    this.event('response.web_search_call.in_progress', ref);
    this.event('response.web_search_call.searching', ref);
    this.event('response.web_search_call.completed', ref);
    const sources = includes(this.body, 'web_search_call.action.sources')
      ? { sources: (search.sources ?? []).map((url) => ({ type: 'url', url })) }
      : {};
    item.status = 'completed';
    item.action = { type: 'search', query: search.query, ...sources };
    this.event('response.output_item.done', { output_index, item: structuredClone(item) });
  }

  hostedCall(spec: Json): void {
    const output_index = this.output.length;
    const type = String(spec.type);
    const item: Json = { id: `${type.slice(0, 2)}_${hex(24)}`, ...spec, status: 'completed' };
    const ref = { item_id: item.id, output_index };
    this.output.push(item);
    const phase: Record<string, string> = {
      file_search_call: 'searching',
      code_interpreter_call: 'interpreting',
      image_generation_call: 'generating',
    };
    this.event('response.output_item.added', {
      output_index,
      item: { id: item.id, type, status: 'in_progress' },
    });
    this.event(`response.${type}.in_progress`, ref);
    if (typeof spec.code === 'string') {
      this.event('response.code_interpreter_call_code.delta', { ...ref, delta: spec.code });
      this.event('response.code_interpreter_call_code.done', { ...ref, code: spec.code });
    }
    this.event(`response.${type}.${phase[type] ?? 'searching'}`, ref);
    this.event(`response.${type}.completed`, ref);
    this.event('response.output_item.done', { output_index, item: structuredClone(item) });
  }

  clientItem(spec: Json): void {
    const output_index = this.output.length;
    const item: Json = { id: `${String(spec.type).slice(0, 2)}_${hex(24)}`, ...spec, status: 'completed' };
    const ref = { item_id: item.id, output_index };
    this.output.push(item);
    const operation = item.operation as Json | undefined;
    const diff = typeof operation?.diff === 'string' ? operation.diff : undefined;
    const opening = diff !== undefined ? { ...item, operation: { ...operation, diff: '' } } : item;
    this.event('response.output_item.added', { output_index, item: { ...opening, status: 'in_progress' } });
    if (diff !== undefined) {
      for (const delta of splitPieces(diff, 2))
        this.event('response.apply_patch_call_operation_diff.delta', { ...ref, delta });
      this.event('response.apply_patch_call_operation_diff.done', { ...ref, diff });
    }
    this.event('response.output_item.done', { output_index, item: structuredClone(item) });
  }

  toolCall(call: MockResponsesToolCall): void {
    const output_index = this.output.length;
    const custom = call.type === 'custom';
    const item: Json = custom
      ? {
          id: `ctc_${hex(24)}`,
          type: 'custom_tool_call',
          status: 'in_progress',
          call_id: call.callId,
          input: '',
          name: call.name,
        }
      : {
          id: `fc_${hex(24)}`,
          type: 'function_call',
          status: 'in_progress',
          arguments: '',
          call_id: call.callId,
          name: call.name,
        };
    const ref = { item_id: item.id, output_index };
    this.output.push(item);
    this.event('response.output_item.added', { output_index, item: { ...item } });
    for (const delta of splitPieces(call.arguments, call.arguments.length >= 12 ? 3 : 2)) {
      this.event(
        custom ? 'response.custom_tool_call_input.delta' : 'response.function_call_arguments.delta',
        {
          ...ref,
          delta,
          obfuscation: 'mock',
        },
      );
    }
    if (custom) {
      this.event('response.custom_tool_call_input.done', { ...ref, input: call.arguments });
      item.input = call.arguments;
    } else {
      this.event('response.function_call_arguments.done', { ...ref, arguments: call.arguments });
      item.arguments = call.arguments;
    }
    item.status = 'completed';
    this.event('response.output_item.done', { output_index, item: structuredClone(item) });
  }
}

function usageFor(reply: ResponseReply, body: Json): Json | null {
  if (reply.usage === null) return null;
  const reasoningChars =
    (reply.reasoning?.summary ?? []).join('').length + (reply.reasoning?.text?.length ?? 0);
  const reasoningTokens =
    reply.usage?.reasoning_tokens ?? (reply.reasoning ? roughTokens(reasoningChars) : 0);
  const input =
    reply.usage?.input_tokens ??
    roughTokens(typeof body.input === 'string' ? body.input.length : textChars(body.input));
  const visible =
    (reply.text?.length ?? 0) +
    (reply.refusal?.length ?? 0) +
    (reply.toolCalls ?? []).reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  const output = reply.usage?.output_tokens ?? roughTokens(visible) + reasoningTokens;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: reply.usage?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: input + output,
  };
}

/** What OpenAI refuses in a `store: false` call: references to items it never kept. */
function statelessInputError(body: Json, issued: ReadonlySet<string>): Json | undefined {
  const input = Array.isArray(body.input) ? body.input : [];
  for (const [index, raw] of input.entries()) {
    const item = asObject(raw);
    if (
      body.store === false &&
      (item.type === 'item_reference' || (item.type === 'reasoning' && item.encrypted_content == null))
    ) {
      return errorBody(
        `Item with id '${String(item.id ?? '')}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
        'invalid_request_error',
        null,
        `input[${index}]`,
      );
    }
    if (
      item.type === 'reasoning' &&
      typeof item.encrypted_content === 'string' &&
      !issued.has(item.encrypted_content)
    ) {
      return errorBody(
        `The encrypted content for item ${String(item.id ?? `input[${index}]`)} could not be verified.`,
        'invalid_request_error',
        null,
      );
    }
  }
  return undefined;
}

function frames(events: readonly Json[]): string[] {
  return events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
}

/** created + in_progress + a message with `text` streamed and left open (a failure interrupts it). */
function partialEvents(builder: ReplyBuilder, text: string): Json[] {
  builder.start();
  if (text !== '') {
    builder.message(text, undefined, undefined, false, 'in_progress');
    while (builder.events.length > 0 && builder.events.at(-1)!.type !== 'response.output_text.delta')
      builder.events.pop();
  }
  return builder.events;
}

export async function startMockResponsesUpstream(
  options: { apiKey?: string } = {},
): Promise<MockResponsesUpstream> {
  const issued = new Set<string>();

  const stream = async (ex: Exchange, events: Json[], delayMs = 0): Promise<void> => {
    startEventStream(ex.res, { 'x-request-id': `req_${hex(12)}` });
    if (await writeFrames(ex.res, frames(events), delayMs)) ex.res.end();
  };

  const answer = async (reply: MockResponsesReply, body: Json, ex: Exchange): Promise<void> => {
    const { res } = ex;
    const streaming = body.stream === true;
    const model =
      (reply.kind === 'response' ? reply.model : undefined) ??
      (typeof body.model === 'string' ? body.model : 'mock-model');
    const builder = new ReplyBuilder(body, model, (token) => issued.add(token));
    switch (reply.kind) {
      case 'response': {
        builder.start();
        if (reply.reasoning) builder.reasoning(reply.reasoning);
        const status = reply.status ?? 'completed';
        if (reply.webSearch) builder.webSearch(reply.webSearch);
        for (const call of reply.hostedCalls ?? []) builder.hostedCall(call);
        if (reply.text !== undefined || reply.refusal !== undefined) {
          const logprobs = reply.logprobs ?? includes(body, 'message.output_text.logprobs');
          builder.message(
            reply.text,
            reply.chunks,
            reply.refusal,
            logprobs,
            status,
            reply.annotations,
            reply.phase,
          );
        }
        for (const call of reply.toolCalls ?? []) builder.toolCall(call);
        for (const item of reply.items ?? []) builder.clientItem(item);
        const final = builder.response(status, {
          usage: usageFor(reply, body),
          ...(status === 'completed'
            ? { completed_at: Math.floor(Date.now() / 1000) }
            : { incomplete_details: { reason: reply.incompleteReason ?? 'max_output_tokens' } }),
        });
        builder.event(status === 'completed' ? 'response.completed' : 'response.incomplete', {
          response: final,
        });
        const delayMs = reply.delayMs ?? 0;
        if (streaming) return stream(ex, builder.events, delayMs);
        if (delayMs > 0) await sleep(delayMs);
        if (!res.destroyed) sendJson(res, 200, final);
        return;
      }
      case 'failed': {
        const events = partialEvents(builder, reply.afterText ?? '');
        const final = builder.response('failed', { error: reply.error });
        if (!streaming) return sendJson(res, 200, final);
        builder.event('response.failed', { response: final });
        return stream(ex, events);
      }
      case 'stream-error': {
        if (!streaming)
          return sendJson(res, 500, errorBody(reply.error.message, 'server_error', reply.error.code ?? null));
        const events = partialEvents(builder, reply.afterText);
        builder.event('error', { code: reply.error.code ?? null, message: reply.error.message, param: null });
        return stream(ex, events);
      }
      case 'http-error':
        if (typeof reply.body === 'string') {
          res.writeHead(reply.status, { 'content-type': 'text/plain', ...(reply.headers ?? {}) });
          res.end(reply.body);
        } else sendJson(res, reply.status, reply.body ?? statusErrorBody(reply.status), reply.headers);
        return;
      case 'garbage':
        res.writeHead(reply.status ?? 200, {
          'content-type': streaming ? 'text/event-stream' : 'application/json',
        });
        res.end(reply.body);
        return;
      case 'drop':
        if (streaming && reply.afterText !== undefined) {
          startEventStream(res);
          await writeFrames(res, frames(partialEvents(builder, reply.afterText)), 0);
        }
        return dropAfterFlush(ex);
      case 'truncate':
        if (streaming) return stream(ex, partialEvents(builder, reply.afterText));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(builder.response('completed')).slice(0, 40));
        return;
      case 'hang':
        return; // never answers; the client's abort or close() ends it
    }
  };

  const handle = async (ex: Exchange, nextReply: () => MockResponsesReply): Promise<void> => {
    const { req, res, record } = ex;
    if (record.method !== 'POST' || record.path !== '/v1/responses') {
      return sendJson(
        res,
        404,
        errorBody(`Invalid URL (${record.method} ${record.path})`, 'invalid_request_error', null),
      );
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(res, 401, statusErrorBody(401));
    }
    const body = record.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendJson(
        res,
        400,
        errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null),
      );
    }
    const refused = statelessInputError(body, issued);
    if (refused) return sendJson(res, 400, refused);
    await answer(nextReply(), body as Json, ex);
  };

  const mock = await startScriptedMock(DEFAULT_REPLY, handle, {
    failureBody: (message) => errorBody(message, 'server_error', null),
  });
  return Object.assign(mock, { baseUrl: `${mock.url}/v1`, issuedEncryptedContent: issued });
}
