/**
 * JSON over HTTP to a search service the operator configured (not a client-given URL, so not behind
 * the SSRF guard, like an upstream provider): one time limit per request, and every way it can go
 * wrong — refused, slow, non-2xx, not JSON — a SearchBackendError naming the service.
 */
import { request } from 'undici';
import { SearchBackendError } from '../search-backend.js';

export interface BackendRequest {
  backend: string;
  url: URL;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Past this a search answer is not a search answer. */
const MAX_BYTES = 4 * 1024 * 1024;

export async function requestJson(req: BackendRequest): Promise<unknown> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = AbortSignal.any([req.signal, timeout]);
  let text: string;
  let status: number;
  try {
    const response = await request(req.url, {
      method: req.method ?? 'GET',
      headers: {
        accept: 'application/json',
        'user-agent': 'responses-gateway',
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...req.headers,
      },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal,
    });
    status = response.statusCode;
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BYTES) {
      response.body.destroy();
      throw new SearchBackendError(`The ${req.backend} search service sent an answer too large to read.`);
    }
    text = await response.body.text();
  } catch (error) {
    if (error instanceof SearchBackendError) throw error;
    if (req.signal.aborted) throw error;
    if (timeout.aborted) {
      throw new SearchBackendError(
        `The ${req.backend} search service did not answer within ${Math.round(req.timeoutMs / 1000)} s.`,
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new SearchBackendError(`The ${req.backend} search service could not be reached (${message}).`);
  }
  if (status < 200 || status > 299) {
    throw new SearchBackendError(`The ${req.backend} search service answered HTTP ${status}.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new SearchBackendError(`The ${req.backend} search service answered something other than JSON.`);
  }
}

/** A backend's answer did not have the shape its API documents. */
export function garbage(backend: string): SearchBackendError {
  return new SearchBackendError(`The ${backend} search service answered JSON of an unexpected shape.`);
}
