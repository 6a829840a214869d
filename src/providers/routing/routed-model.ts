/**
 * A LanguageModel that routes: each call goes to one of its targets in `targetOrder`, falling over
 * to the next when a target fails retryably (429, 5xx, timeout, refused connection) before its
 * stream was accepted, and skipping targets whose circuit is open. When every target failed, the
 * round is retried `retries` times after a backoff (see backoff.ts). Anything else (a 400, 404, an
 * upstream auth failure, the gateway's own validation, an abort) ends the call at once. Once a
 * stream was accepted, later failures are the stream's own, as with any model.
 */
import { UpstreamError } from '../../errors.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import { type BackoffSettings, retryDelay } from './backoff.js';
import type { BreakerBoard } from './breaker-board.js';
import type { Clock } from './clock.js';
import { withoutForeignReasoning } from './foreign-reasoning.js';
import { type RouteStrategy, targetOrder } from './target-order.js';

export interface RouteTarget {
  /** `provider/modelId`: names the target in breakers and messages. */
  key: string;
  model: LanguageModel;
  /** The id the upstream knows. */
  modelId: string;
  weight: number;
}

export interface RouteSettings extends BackoffSettings {
  /** What the client asked for, for messages. */
  name: string;
  targets: readonly RouteTarget[];
  strategy: RouteStrategy;
  retries: number;
  breakers: BreakerBoard;
  clock: Clock;
  random: () => number;
  /** Told of each failed call to a target (metrics). */
  onUpstreamError?: (provider: string, error: UpstreamError) => void;
}

type Parts = AsyncIterable<StreamPart> | Iterable<StreamPart>;

export class RoutedLanguageModel implements LanguageModel {
  /** The first configured target's provider (whose limits the engine sizes the request by). */
  readonly provider: string;

  constructor(private readonly route: RouteSettings) {
    this.provider = route.targets[0]!.model.provider;
  }

  stream(request: ModelRequest, options: CallOptions): Promise<Parts> {
    return this.call(request, options, (target, req) => target.model.stream(req, options));
  }

  generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    return this.call(request, options, (target, req) => target.model.generate(req, options));
  }

  private async call<T extends Parts>(
    request: ModelRequest,
    options: CallOptions,
    invoke: (target: RouteTarget, request: ModelRequest) => Promise<T>,
  ): Promise<T> {
    const { signal } = options;
    const { breakers, retries } = this.route;
    const failed: Array<{ target: RouteTarget; error: UpstreamError }> = [];
    for (let round = 0; ; round++) {
      const roundFailures: UpstreamError[] = [];
      for (const target of targetOrder(this.route.targets, this.route.strategy, this.route.random)) {
        signal.throwIfAborted();
        const breaker = breakers.get(target.key);
        if (!breaker.tryAcquire()) continue;
        try {
          // The request names the first target's model already (the engine builds it so).
          const own = withoutForeignReasoning(request, target.model.provider);
          const sent =
            own.request.modelId === target.modelId
              ? own.request
              : { ...own.request, modelId: target.modelId };
          const parts = await invoke(target, sent);
          breaker.onSuccess();
          options.onServed?.(target.model.provider);
          const notes = [
            ...(failed.length > 0 ? [failoverNote(failed, target)] : []),
            ...(own.dropped > 0
              ? [
                  `reasoning: ${own.dropped} reasoning token(s) issued by another provider were left out for '${target.key}', which cannot verify them`,
                ]
              : []),
          ];
          return notes.length > 0 ? (withNotes(parts, notes) as T) : parts;
        } catch (error) {
          if (signal.aborted || !(error instanceof UpstreamError)) {
            breaker.release();
            throw error;
          }
          this.route.onUpstreamError?.(target.model.provider, error);
          if (!error.retryable) {
            breaker.onSuccess();
            throw error;
          }
          // A rate limit says nothing about the target's health; the gateway's own queue neither.
          if (error.status === 429) breaker.release();
          else breaker.onFailure();
          roundFailures.push(error);
          failed.push({ target, error });
        }
      }
      const last = roundFailures.at(-1);
      // Every circuit open: the failure that opened them, or (when none of ours did) a 503.
      if (last === undefined) throw failed.at(-1)?.error ?? this.allOpen();
      if (round >= retries) throw last;
      const delay = retryDelay(round, roundFailures, this.route, this.route.random);
      if (delay === undefined) throw last;
      await this.route.clock.sleep(delay, signal);
    }
  }

  /** Every target's circuit is open: a 503 that says when the first one lets a probe through. */
  private allOpen(): UpstreamError {
    const now = this.route.clock.now();
    const reopen = Math.min(
      ...this.route.targets.map((target) => this.route.breakers.get(target.key).reopensAt ?? now),
    );
    const waitMs = Math.max(0, reopen - now);
    return new UpstreamError(
      `Model '${this.route.name}' is temporarily unavailable: its upstream failed repeatedly and ${
        waitMs > 0 ? `is skipped for ${Math.ceil(waitMs / 1000)} s more` : 'a probe call is testing it'
      } (circuit breaker open).`,
      {
        status: 503,
        retryable: true,
        code: 'upstream_unavailable',
        type: 'server_error',
        ...(waitMs > 0 ? { retryAfterMs: waitMs } : {}),
      },
    );
  }
}

/** Leads the parts with a warning naming the targets that failed (the engine logs warnings). */
function failoverNote(
  failed: ReadonlyArray<{ target: RouteTarget; error: UpstreamError }>,
  served: RouteTarget,
): string {
  const tried = failed.map(({ target, error }) => `'${target.key}' (${error.status}: ${error.message})`);
  return `routing: served by '${served.key}' after ${tried.join(', ')}`;
}

function withNotes(parts: Parts, messages: readonly string[]): Parts {
  const notes: StreamPart[] = messages.map((message) => ({ type: 'warning', message }));
  if (Array.isArray(parts)) return [...notes, ...parts];
  return (async function* () {
    yield* notes;
    yield* parts;
  })();
}
