/**
 * Drives one response through the emitter: the model's turn, then — when it called built-in tools
 * — those calls, and the model again with their results, until it answers, hands a call to the
 * client, or the response ends otherwise (failed, cancelled). A response without built-in tools is
 * exactly one turn, read as before.
 */
import type { Logger } from 'pino';
import { GatewayError, UpstreamError } from '../errors.js';
import { nowSeconds } from '../now-seconds.js';
import type { ResponseErrorInfo, ResponseObject } from '../protocol/response.js';
import type { ModelMessage, ModelRequest, StreamPart, TokenUsage, UserPart } from '../providers/types.js';
import type { FinishedItem, ToolContext } from '../tools/types.js';
import type { HostedToolSet } from './hosted-tools.js';
import { openHostedCall } from './open-hosted-call.js';
import type { PreparedInput } from './prepare-model-input.js';
import type { ResponseEmitter } from './response-emitter.js';
import { runHostedCall } from './run-hosted-call.js';
import type { TraceSpan } from './trace-span.js';
import { type HostedCall, TurnRecorder } from './turn-recorder.js';

export type ModelParts = AsyncIterable<StreamPart> | Iterable<StreamPart>;

/** Model turns one response may take before built-in tools are withheld, so it has to answer. */
export const MAX_TOOL_TURNS = 16;

export interface ToolLoop {
  tools: HostedToolSet;
  /** The request of the first turn; later turns extend its messages. */
  request: ModelRequest;
  callModel(request: ModelRequest): Promise<ModelParts>;
  maxToolCalls: number | undefined;
  parallel: boolean;
  context: ToolContext;
  /** Wall-clock limit of one built-in call. */
  timeoutMs: number;
  /** Items the tools finished before the first turn (openHostedTools), emitted first. */
  leading?: readonly FinishedItem[];
  /** Where each built-in call's span goes; absent: tracing off. */
  span?: TraceSpan | undefined;
}

export interface DriveOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Emit `created` first (not for a resumed background response, which has sent it). */
  opening: boolean;
  backpressure: (() => Promise<void> | undefined) | undefined;
  compaction?: PreparedInput['compaction'];
  loop?: ToolLoop | undefined;
  /** Told when each model turn ends: with its finish part, or without (the response says how). */
  onTurnEnd?: ((finish: FinishPart | undefined, response: ResponseObject) => void) | undefined;
}

type FinishPart = Extract<StreamPart, { type: 'finish' }>;
type TurnEnd = { type: 'finish'; part: FinishPart } | { type: 'ended' };

export async function driveResponse(
  emitter: ResponseEmitter,
  first: ModelParts,
  how: DriveOptions,
): Promise<ResponseObject> {
  const { signal, compaction, loop } = how;
  if (how.opening) emitter.created();
  emitter.inProgress();
  if (compaction) emitter.completeItem(compaction.item);
  // What the tools did before this turn (an MCP server's tool list, an approved call), in order.
  for (const item of loop?.leading ?? []) emitter.hosted.finished(item);
  let usage = compaction?.usage;
  let parts = first;
  let callsRun = 0;
  for (let turn = 1; ; turn++) {
    const recorder = loop ? new TurnRecorder((name) => loop.tools.named(name)) : undefined;
    const opened = new Map<HostedCall, number>();
    /** Calls shown for approval instead: the response ends after this turn, as for client calls. */
    const held = new Set<HostedCall>();
    const open = (call: HostedCall) => {
      if (!loop || opened.has(call) || held.has(call)) return;
      const budget = loop.maxToolCalls === undefined || callsRun + opened.size < loop.maxToolCalls;
      const result = openHostedCall(emitter, call, budget);
      if (result.kind === 'held') held.add(call);
      else if (result.kind === 'opened') opened.set(call, result.outputIndex);
    };
    const end = await readTurn(emitter, parts, how, usage, recorder, open);
    how.onTurnEnd?.(end.type === 'finish' ? end.part : undefined, emitter.response);
    if (end.type === 'ended') return emitter.response;
    usage = addUsage(usage, end.part.usage);
    const calls = recorder?.hostedCalls ?? [];
    const reason = end.part.finishReason;
    if (!loop || !recorder || calls.length === 0 || reason === 'length' || reason === 'content-filter') {
      emitter.finish(reason, usage, nowSeconds());
      return emitter.response;
    }
    emitter.endCurrentItem();
    for (const call of calls) open(call);
    const run = (call: HostedCall): Promise<ModelMessage> => {
      if (held.has(call)) return Promise.resolve(toolMessage(call, ''));
      const outputIndex = opened.get(call);
      if (outputIndex === undefined) {
        // OpenAI ignores calls past max_tool_calls; the model still needs an answer to its call.
        return Promise.resolve(toolMessage(call, IGNORED_CALL));
      }
      const itemId = emitter.response.output[outputIndex]?.id ?? '';
      return runHostedCall(call, { itemId, outputIndex, emitter, signal, loop }).then((output) =>
        toolMessage(call, output),
      );
    };
    let answers: ModelMessage[];
    if (loop.parallel) {
      answers = await Promise.all(calls.map(run));
    } else {
      answers = [];
      for (const call of calls) {
        if (signal.aborted) break;
        answers.push(await run(call));
      }
    }
    callsRun += opened.size;
    if (signal.aborted) return endAborted(emitter, signal, usage);
    if (recorder.clientCalls > 0 || held.size > 0) {
      // The client runs its own calls (or approves the held ones) and continues in a new request.
      emitter.finish('tool-calls', usage, nowSeconds());
      return emitter.response;
    }
    const request = loop.request;
    request.messages.push({ role: 'assistant', content: recorder.parts }, ...answers);
    request.toolChoice = nextToolChoice(request, loop, {
      exhausted:
        turn + 1 >= MAX_TOOL_TURNS || (loop.maxToolCalls !== undefined && callsRun >= loop.maxToolCalls),
    });
    try {
      parts = await loop.callModel(request);
    } catch (error) {
      if (signal.aborted) return endAborted(emitter, signal, usage);
      how.logger.warn({ err: error, responseId: emitter.response.id, turn }, 'upstream refused a tool turn');
      emitter.fail(toResponseError(error), usage);
      return emitter.response;
    }
  }
}

const IGNORED_CALL =
  'This call was not run: the response reached its max_tool_calls limit. Answer with what you have.';

function toolMessage(call: HostedCall, output: string | UserPart[]): ModelMessage {
  return { role: 'tool', callId: call.callId, toolKind: 'function', output };
}

/**
 * After a round of built-in calls the model is free to answer (a forced or required tool would loop
 * forever); once the budget is spent it may only call the client's tools, if any.
 */
function nextToolChoice(
  request: ModelRequest,
  loop: ToolLoop,
  how: { exhausted: boolean },
): ModelRequest['toolChoice'] {
  if (how.exhausted) {
    const names = request.tools.filter((tool) => !loop.tools.names.has(tool.name)).map((tool) => tool.name);
    return names.length > 0 ? { type: 'allowed', mode: 'auto', names } : { type: 'none' };
  }
  const choice = request.toolChoice;
  if (choice === undefined) return undefined;
  if (choice.type === 'tool' || choice.type === 'required') return undefined;
  if (choice.type === 'allowed' && choice.mode === 'required') return { ...choice, mode: 'auto' };
  return choice;
}

/** Reads one turn's parts into the emitter; built-in calls go to `open` instead of being emitted. */
async function readTurn(
  emitter: ResponseEmitter,
  parts: ModelParts,
  how: DriveOptions,
  usage: TokenUsage | undefined,
  recorder: TurnRecorder | undefined,
  open: (call: HostedCall) => void,
): Promise<TurnEnd> {
  const { signal, logger, backpressure } = how;
  let finish: TurnEnd | undefined;
  /** Emits one part; true once the turn has ended. */
  const step = (part: StreamPart): boolean => {
    switch (part.type) {
      case 'finish':
        finish = { type: 'finish', part };
        return true;
      case 'error':
        emitter.fail(toResponseError(part.error), usage);
        finish = { type: 'ended' };
        return true;
      case 'warning':
        logger.warn({ responseId: emitter.response.id }, part.message);
        return false;
      default: {
        const hosted = recorder?.record(part);
        if (hosted) {
          if (hosted.ended) open(hosted.call);
          return false;
        }
        emitter.part(part);
        return false;
      }
    }
  };
  try {
    if (Array.isArray(parts)) {
      // A whole answer in hand: nothing can happen between two parts (an abort comes from I/O), so
      // it is read without a microtask per part; only backpressure is waited for.
      for (const part of parts as StreamPart[]) {
        if (signal.aborted) break;
        if (step(part)) return finish as TurnEnd;
        const wait = backpressure?.();
        if (wait) await wait;
      }
    } else {
      for await (const part of parts) {
        if (signal.aborted) break;
        if (step(part)) return finish as TurnEnd;
        const wait = backpressure?.();
        if (wait) await wait;
      }
    }
  } catch (error) {
    if (!signal.aborted) {
      logger.warn({ err: error, responseId: emitter.response.id }, 'upstream failed mid-response');
      emitter.fail(toResponseError(error), usage);
      return { type: 'ended' };
    }
  }
  if (signal.aborted) {
    endAborted(emitter, signal, usage);
    return { type: 'ended' };
  }
  emitter.fail(
    { code: 'server_error', message: 'The upstream stream ended without finishing the response.' },
    usage,
  );
  return { type: 'ended' };
}

function endAborted(
  emitter: ResponseEmitter,
  signal: AbortSignal,
  usage: TokenUsage | undefined,
): ResponseObject {
  // A shutdown aborts with a GatewayError: that ends the response as failed, not as cancelled.
  if (signal.reason instanceof GatewayError) emitter.fail(toResponseError(signal.reason), usage);
  else emitter.cancel(usage);
  return emitter.response;
}

/** Response.error codes are a fixed set in OpenAI's API; upstream failures map onto it. */
export function toResponseError(error: unknown): ResponseErrorInfo {
  if (error instanceof UpstreamError) {
    return { code: error.status === 429 ? 'rate_limit_exceeded' : 'server_error', message: error.message };
  }
  return { code: 'server_error', message: error instanceof Error ? error.message : String(error) };
}

/** Usage of every turn (and of a compaction pass) is billed with the response. */
export function addUsage(
  usage: TokenUsage | undefined,
  extra: TokenUsage | undefined,
): TokenUsage | undefined {
  if (!usage || !extra) return usage ?? extra;
  return {
    inputTokens: usage.inputTokens + extra.inputTokens,
    outputTokens: usage.outputTokens + extra.outputTokens,
    cachedInputTokens: usage.cachedInputTokens + extra.cachedInputTokens,
    reasoningTokens: usage.reasoningTokens + extra.reasoningTokens,
  };
}
