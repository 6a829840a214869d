/** Anthropic error bodies `{"type":"error","error":{"type","message"}}`, from HTTP or the stream. */
import { UpstreamError } from '../../errors.js';
import { parseRetryAfter, statusError } from '../shared/upstream-errors.js';
import type { AnthropicErrorBody } from './anthropic-api.js';

/** An `error` event or body → UpstreamError, with overload and rate limits kept retryable. */
export function streamError(event: AnthropicErrorBody, provider: string): UpstreamError {
  const type = event.error?.type ?? 'api_error';
  const message = `Upstream provider '${provider}' reported an error: ${event.error?.message || type}`;
  if (type === 'overloaded_error') {
    return new UpstreamError(message, {
      status: 503,
      retryable: true,
      code: 'upstream_overloaded',
      type: 'server_error',
    });
  }
  if (type === 'rate_limit_error') {
    return new UpstreamError(message, {
      status: 429,
      retryable: true,
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
    });
  }
  return new UpstreamError(message, { status: 502, retryable: false, code: type, type: 'server_error' });
}

/**
 * Non-2xx answers: `{"type":"error","error":{"type","message"}}`. 529 (overloaded) becomes a
 * retryable 503; refused requests keep Anthropic's message; the rest goes the generic way.
 */
export function anthropicStatusError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  provider: string,
): UpstreamError | undefined {
  const error = parseAnthropicError(bodyText);
  if (status === 529 || error?.type === 'overloaded_error') {
    const retryAfterMs = parseRetryAfter(headers);
    return new UpstreamError(
      `Upstream provider '${provider}' is overloaded (${status})${error?.message ? `: ${error.message}` : ''}`,
      {
        status: 503,
        retryable: true,
        code: 'upstream_overloaded',
        type: 'server_error',
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    );
  }
  if (status === 429) {
    // The generic mapping would take Anthropic's error type as the code; OpenAI clients expect this one.
    const generic = statusError(status, headers, bodyText, provider);
    return new UpstreamError(generic.message, {
      status: 429,
      retryable: true,
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
      ...(generic.retryAfterMs !== undefined ? { retryAfterMs: generic.retryAfterMs } : {}),
    });
  }
  if (status >= 400 && status < 500 && status !== 401 && status !== 403 && error) {
    const generic = statusError(status, headers, bodyText, provider);
    return new UpstreamError(error.message || generic.message, {
      status: generic.status,
      retryable: generic.retryable,
      code: ERROR_CODES[error.type] ?? null,
      type: 'invalid_request_error',
    });
  }
  return undefined;
}

const ERROR_CODES: Record<string, string> = {
  not_found_error: 'model_not_found',
  request_too_large: 'request_too_large',
};

function parseAnthropicError(text: string): { type: string; message: string } | undefined {
  try {
    const body = JSON.parse(text) as Partial<AnthropicErrorBody>;
    const error = body?.error;
    if (error && typeof error === 'object' && typeof error.type === 'string') {
      return { type: error.type, message: typeof error.message === 'string' ? error.message : '' };
    }
  } catch {
    // not JSON
  }
  return undefined;
}
