/**
 * Calls to the gateway with the stored key: its /v1 API, and its own routes outside it (admin,
 * prices, metrics). Errors carry the OpenAI envelope's message.
 */
import { load } from './settings.js';
import { readEvents, type StreamEvent } from './sse.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  // A gateway without keys takes any bearer from loopback, but some bearer it must have.
  const key = load<string>('apiKey', '') || 'playground';
  return { authorization: `Bearer ${key}`, ...extra };
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return new ApiError(response.status, body.error?.message ?? text);
  } catch {
    return new ApiError(response.status, text || response.statusText);
  }
}

export function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  return gateway<T>(method, `/v1${path}`, body);
}

/** A call to any gateway path, JSON in and out. */
export async function gateway<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const isForm = body instanceof FormData;
  const response = await fetch(path, {
    method,
    headers: headers(body !== undefined && !isForm ? { 'content-type': 'application/json' } : {}),
    ...(body !== undefined ? { body: isForm ? body : JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** A text answer (Prometheus' /metrics). */
export async function gatewayText(path: string): Promise<string> {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw await failure(response);
  return response.text();
}

/** A streaming create (POST) or a resume (GET ?stream=true), as events. */
export async function* stream(
  path: string,
  body: Record<string, unknown> | undefined,
  signal: AbortSignal,
): AsyncGenerator<StreamEvent> {
  const response = await fetch(`/v1${path}`, {
    method: body ? 'POST' : 'GET',
    headers: headers(body ? { 'content-type': 'application/json', accept: 'text/event-stream' } : {}),
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal,
  });
  if (!response.ok || !response.body) throw await failure(response);
  yield* readEvents(response.body);
}
