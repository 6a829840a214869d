/**
 * The HTTP client providers are given: undici pools per upstream origin (keep-alive, pipelining
 * off), with upstream failures turned into UpstreamError before the first byte.
 */

import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import { UpstreamError } from '../../errors.js';

export interface HttpClientOptions {
  /** Connections per origin; undefined: no cap. */
  connections: number | undefined;
  /** Time to wait for response headers, ms. */
  headersTimeoutMs: number;
  /** Longest silence inside a response body, ms. */
  bodyTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface PostOptions {
  url: URL;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  /** Names the upstream in error messages. */
  provider: string;
  /**
   * Reads a provider's own error body first (e.g. Anthropic's 529 overloaded, Gemini's 400 for a bad
   * key); returning undefined falls back to the generic `statusError` mapping.
   */
  mapError?: (
    status: number,
    headers: Record<string, string | string[] | undefined>,
    bodyText: string,
  ) => UpstreamError | undefined;
}

export class HttpClient {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: HttpClientOptions) {}

  /**
   * POSTs and resolves with a 2xx response; any other status, a refused connection or a timeout
   * rejects with an UpstreamError carrying the upstream's own message where it gave one.
   */
  async post(opts: PostOptions): Promise<UpstreamResponse> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool(opts.url.origin).request({
        method: 'POST',
        path: opts.url.pathname + opts.url.search,
        headers: opts.headers,
        body: opts.body,
        signal: opts.signal,
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
      });
    } catch (error) {
      throw connectionError(error, opts.provider, opts.signal);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return { status: response.statusCode, headers: response.headers, body: response.body };
    }
    const text = await response.body.text().catch(() => '');
    throw (
      opts.mapError?.(response.statusCode, response.headers, text) ??
      statusError(response.statusCode, response.headers, text, opts.provider)
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections ?? null,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        connect: { timeout: 10_000 },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

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
