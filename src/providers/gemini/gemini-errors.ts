/** Gemini error bodies `{"error":{"code","message","status","details"}}`, from HTTP or the stream. */
import { UpstreamError } from '../../errors.js';
import { parseRetryAfter, statusError } from '../shared/upstream-errors.js';
import type { GeminiErrorBody } from './gemini-api.js';

/** An error object in a body or stream chunk → UpstreamError, keeping overload and quota retryable. */
export function geminiBodyError(error: GeminiErrorBody['error'], provider: string): UpstreamError {
  const message = `Upstream provider '${provider}' reported an error: ${error.message || error.status || 'unknown error'}`;
  if (error.code === 429 || error.status === 'RESOURCE_EXHAUSTED') {
    return new UpstreamError(message, {
      status: 429,
      retryable: true,
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
    });
  }
  if (error.code === 503 || error.status === 'UNAVAILABLE') {
    return new UpstreamError(message, {
      status: 503,
      retryable: true,
      code: 'upstream_error',
      type: 'server_error',
    });
  }
  return new UpstreamError(message, {
    status: 502,
    retryable: false,
    code: 'upstream_error',
    type: 'server_error',
  });
}

/**
 * Non-2xx answers: `{"error":{"code","message","status","details"}}`. Gemini refuses a bad key with
 * 400 (reason API_KEY_INVALID), which is the gateway's problem, not the client's; quota errors
 * carry their retry delay in the details; refused requests keep Gemini's message.
 */
export function geminiStatusError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  provider: string,
): UpstreamError | undefined {
  const error = parseGeminiError(bodyText);
  if (!error) return undefined;
  const reasons = detailsOf(error, 'type.googleapis.com/google.rpc.ErrorInfo').map((d) => d.reason);
  if (reasons.includes('API_KEY_INVALID')) return statusError(401, headers, bodyText, provider);
  if (status === 429) {
    const generic = statusError(status, headers, bodyText, provider);
    const delay = detailsOf(error, 'type.googleapis.com/google.rpc.RetryInfo')[0]?.retryDelay;
    const retryAfterMs = parseRetryAfter(headers) ?? parseDuration(delay);
    return new UpstreamError(generic.message, {
      status: 429,
      retryable: true,
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status >= 400 && status < 500 && status !== 401 && status !== 403) {
    const generic = statusError(status, headers, bodyText, provider);
    return new UpstreamError(error.message ?? generic.message, {
      status: generic.status,
      retryable: generic.retryable,
      code: status === 404 ? 'model_not_found' : null,
      type: 'invalid_request_error',
    });
  }
  return undefined;
}

function parseGeminiError(text: string): GeminiErrorBody['error'] | undefined {
  try {
    // Some Google front ends wrap the error body in an array.
    const parsed = JSON.parse(text) as GeminiErrorBody | GeminiErrorBody[];
    const body = Array.isArray(parsed) ? parsed[0] : parsed;
    return body?.error && typeof body.error === 'object' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

function detailsOf(error: GeminiErrorBody['error'], type: string): Array<Record<string, string | undefined>> {
  return (error.details ?? []).filter(
    (detail): detail is Record<string, string | undefined> =>
      detail !== null && typeof detail === 'object' && (detail as { '@type'?: unknown })['@type'] === type,
  );
}

/** Protobuf JSON durations: `"20s"`, `"1.5s"`. */
function parseDuration(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(value);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
