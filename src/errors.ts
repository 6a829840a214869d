/**
 * Typed errors. Only server/ renders them into the OpenAI error envelope; everything else throws
 * these so that status, type, code and param travel together.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'rate_limit_error'
  | 'server_error';

export interface ErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  /** Extra response headers (e.g. Retry-After on 429). */
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    message: string,
    opts: {
      type?: string;
      code?: string | null;
      param?: string | null;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = status;
    this.type = opts.type ?? defaultTypeFor(status);
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
    this.headers = opts.headers;
  }

  toBody(): ErrorBody {
    return { message: this.message, type: this.type, param: this.param, code: this.code };
  }
}

/** 400 invalid_request_error with a param path, the most common user mistake. */
export function invalidRequest(
  message: string,
  param: string | null,
  code: string | null = null,
): GatewayError {
  return new GatewayError(400, message, { type: 'invalid_request_error', param, code });
}

export function notFound(
  message: string,
  param: string | null = null,
  code: string | null = null,
): GatewayError {
  return new GatewayError(404, message, { type: 'invalid_request_error', param, code });
}

/**
 * An upstream provider failed. `retryable` drives fallbacks and retries before the first byte;
 * after it the failure becomes `response.failed`.
 */
export class UpstreamError extends Error {
  readonly status: number;
  readonly retryable: boolean;
  readonly code: string | null;
  readonly type: string;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    opts: { status: number; retryable: boolean; code?: string | null; type?: string; retryAfterMs?: number },
  ) {
    super(message);
    this.name = 'UpstreamError';
    this.status = opts.status;
    this.retryable = opts.retryable;
    this.code = opts.code ?? null;
    this.type = opts.type ?? defaultTypeFor(opts.status);
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export function defaultTypeFor(status: number): ErrorType {
  // OpenAI itself answers 401/404/409 with type invalid_request_error (401 adds code invalid_api_key).
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
