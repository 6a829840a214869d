/** How a Responses call ended (status, incomplete reason, error, usage) → normalized values. */
import { UpstreamError } from '../../errors.js';
import { tokenCount } from '../shared/token-count.js';
import type { FinishReason, TokenLogprob, TokenUsage } from '../types.js';
import type {
  ResponsesErrorBody,
  ResponsesLogprob,
  ResponsesResponse,
  ResponsesUsage,
} from './responses-api.js';

/** `response.completed` / `response.incomplete` → finish reason. */
export function mapResponsesFinishReason(response: ResponsesResponse, madeToolCalls: boolean): FinishReason {
  if (response.status === 'incomplete') {
    switch (response.incomplete_details?.reason) {
      case 'max_output_tokens':
        return 'length';
      case 'content_filter':
        return 'content-filter';
      default:
        return 'other';
    }
  }
  return madeToolCalls ? 'tool-calls' : 'stop';
}

export function mapResponsesUsage(usage: ResponsesUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: tokenCount(usage.input_tokens),
    outputTokens: tokenCount(usage.output_tokens),
    cachedInputTokens: tokenCount(usage.input_tokens_details?.cached_tokens),
    reasoningTokens: tokenCount(usage.output_tokens_details?.reasoning_tokens),
  };
}

/** Streamed logprobs may lack `bytes`; the public shape always has them. */
export function mapResponsesLogprobs(
  logprobs: readonly ResponsesLogprob[] | null | undefined,
): TokenLogprob[] | undefined {
  if (!logprobs || logprobs.length === 0) return undefined;
  return logprobs.map((entry) => ({
    token: entry.token,
    bytes: entry.bytes ?? [...Buffer.from(entry.token)],
    logprob: entry.logprob,
    topLogprobs: (entry.top_logprobs ?? []).map((top) => {
      const token = top.token ?? '';
      return { token, bytes: top.bytes ?? [...Buffer.from(token)], logprob: top.logprob ?? 0 };
    }),
  }));
}

/** A `response.failed` or `error` event (or a failed non-streamed Response) as a typed error. */
export function responsesError(
  error: ResponsesErrorBody | string | null | undefined,
  provider: string,
): UpstreamError {
  const body = typeof error === 'string' ? { message: error } : (error ?? {});
  const code = body.code ?? body.type ?? 'upstream_error';
  const rateLimited = code === 'rate_limit_exceeded';
  return new UpstreamError(
    `Upstream provider '${provider}' reported an error: ${body.message ?? 'unknown error'}`,
    {
      status: rateLimited ? 429 : 502,
      retryable: false,
      code,
      ...(rateLimited ? { type: 'rate_limit_error' } : {}),
    },
  );
}
