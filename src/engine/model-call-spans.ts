/**
 * One span per model call of a response: opened when the call is made, ended when its turn ends
 * (the finish part, an error, an abort), so a streamed turn's span lasts as long as its stream.
 * Turns of one response follow each other, so one span is open at a time. Attributes follow the
 * OpenTelemetry GenAI conventions and hold names, counts and codes only — never content.
 */
import { GatewayError, UpstreamError } from '../errors.js';
import type { ResponseObject } from '../protocol/response.js';
import type { StreamPart } from '../providers/types.js';
import type { TraceSpan } from './trace-span.js';

type FinishPart = Extract<StreamPart, { type: 'finish' }>;

export class ModelCallSpans {
  private current: TraceSpan | undefined;

  constructor(
    private readonly parent: TraceSpan,
    private readonly call: { provider: string; modelId: string; stream: boolean },
  ) {}

  /** Makes the call inside a span of its own, current for it, so the upstream request carries it. */
  traced<T>(make: () => Promise<T>): Promise<T> {
    this.current?.end();
    const { provider, modelId, stream } = this.call;
    const span = this.parent.child(`chat ${modelId}`, 'client', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': modelId,
      'rgw.stream': stream,
    });
    this.current = span;
    return span.within(make).catch((error: unknown) => {
      span.fail(errorCode(error));
      span.end();
      this.current = undefined;
      throw error;
    });
  }

  /** The provider that took the call (a route may have fallen back to another). */
  served(provider: string): void {
    this.current?.set({ 'gen_ai.provider.name': provider });
  }

  /**
   * The current call's turn ended: with its finish part, or without one (failed, cancelled, cut
   * short), which the response tells.
   */
  turnEnded(finish: FinishPart | undefined, response: ResponseObject): void {
    const span = this.current;
    if (!span) return;
    this.current = undefined;
    if (finish) {
      span.set({
        'gen_ai.response.finish_reasons': [finish.finishReason],
        'gen_ai.usage.input_tokens': finish.usage?.inputTokens,
        'gen_ai.usage.output_tokens': finish.usage?.outputTokens,
        'gen_ai.usage.cache_read.input_tokens': finish.usage?.cachedInputTokens,
      });
    } else if (response.status === 'failed') {
      span.fail(response.error?.code ?? 'server_error');
    } else {
      span.set({ 'rgw.turn.ended': response.status });
    }
    span.end();
  }

  /** Ends a span whose turn was never read (the response stopped before reading it). */
  close(): void {
    this.current?.end();
    this.current = undefined;
  }
}

function errorCode(error: unknown): string {
  if (error instanceof UpstreamError) return error.code ?? `http_${error.status}`;
  if (error instanceof GatewayError) return error.code ?? error.type;
  return error instanceof Error && error.name === 'AbortError' ? 'aborted' : 'error';
}
