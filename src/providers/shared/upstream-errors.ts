/**
 * What an upstream call's failures become: a connection that failed or timed out, a non-2xx answer
 * (with the upstream's own message and its Retry-After), as the UpstreamError the router and the
 * client see.
 */
import { UpstreamError } from '../../errors.js';

export function connectionError(error: unknown, provider: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return error instanceof Error ? error : new Error(String(error));
  const code = (error as { code?: string } | null)?.code ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new UpstreamError(`Upstream provider '${provider}' timed out (${detail}).`, {
      status: 504,
      retryable: true,
      code: 'upstream_timeout',
    });
  }
  return new UpstreamError(`Could not reach upstream provider '${provider}': ${detail || code}.`, {
    status: 502,
    retryable: true,
    code: 'upstream_unavailable',
  });
}

/** Maps an upstream's non-2xx answer to what the gateway's client should see. */
export function statusError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  provider: string,
): UpstreamError {
  const upstream = parseErrorBody(bodyText);
  const said = upstream.message ? `: ${upstream.message}` : bodyText ? `: ${bodyText.slice(0, 200)}` : '';
  const retryAfterMs = parseRetryAfter(headers);
  if (status === 401 || status === 403) {
    // The client's own key was already accepted; a rejected upstream key is the gateway's problem.
    return new UpstreamError(
      `Upstream provider '${provider}' rejected the gateway's credentials (${status})${said}`,
      {
        status: 502,
        retryable: false,
        code: 'upstream_authentication_error',
        type: 'server_error',
      },
    );
  }
  if (status === 429) {
    return new UpstreamError(`Upstream provider '${provider}' is rate limiting requests${said}`, {
      status: 429,
      retryable: true,
      code: upstream.code ?? 'rate_limit_exceeded',
      type: 'rate_limit_error',
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status >= 500) {
    return new UpstreamError(`Upstream provider '${provider}' failed with status ${status}${said}`, {
      status: status === 503 || status === 504 ? status : 502,
      retryable: true,
      code: 'upstream_error',
      type: 'server_error',
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  // Other 4xx: the request itself was refused (unknown model, context too long, bad parameter).
  return new UpstreamError(
    upstream.message ?? `Upstream provider '${provider}' refused the request (${status}).`,
    {
      status: status === 404 || status === 413 || status === 422 ? status : 400,
      retryable: status === 408 || status === 409,
      code: upstream.code ?? (status === 404 ? 'model_not_found' : null),
      type: 'invalid_request_error',
    },
  );
}

interface UpstreamErrorFields {
  message: string | undefined;
  code: string | undefined;
}

/** Reads `{"error":{"message","code"}}`, `{"error":"..."}` or `{"message":"..."}` bodies. */
export function parseErrorBody(text: string): UpstreamErrorFields {
  if (!text) return { message: undefined, code: undefined };
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const error = json.error;
    if (typeof error === 'string') return { message: error, code: undefined };
    const source = (error && typeof error === 'object' ? error : json) as Record<string, unknown>;
    return {
      message: typeof source.message === 'string' ? source.message : undefined,
      code:
        typeof source.code === 'string'
          ? source.code
          : typeof source.type === 'string'
            ? source.type
            : undefined,
    };
  } catch {
    return { message: undefined, code: undefined };
  }
}

export function parseRetryAfter(headers: Record<string, string | string[] | undefined>): number | undefined {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers['retry-after'];
  if (typeof value !== 'string') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
