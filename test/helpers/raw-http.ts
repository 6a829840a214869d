/**
 * Raw HTTP over a TCP socket, for what fetch cannot send: malformed requests, bodies that do not
 * match their headers, bytes that are not HTTP at all.
 */
import { connect } from 'node:net';
import type { JsonBody } from './json-body.js';

export interface RawResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** Parsed JSON (the text when it is not JSON). */
  body: JsonBody;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/**
 * Writes `data` to the server at `url` (its origin) and reads one response: ended by its
 * Content-Length, or by the server closing the connection.
 */
export function rawRequest(url: string, data: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      const parsed = parseResponse(received, closed);
      if (!parsed) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parsed);
    };
    const timer = setTimeout(() => {
      settled = true;
      socket.destroy();
      reject(new Error(`no complete response within ${timeoutMs} ms: ${received.toString()}`));
    }, timeoutMs);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      finish(false);
    });
    socket.on('close', () => {
      finish(true);
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(new Error(`connection closed without a response: ${received.toString()}`));
      }
    });
    // A server may reset a connection it answered while the request was still being written.
    socket.on('error', () => finish(true));
    socket.write(data);
  });
}

function parseResponse(received: Buffer, closed: boolean): RawResponse | undefined {
  const text = received.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bodyStart = Buffer.byteLength(text.slice(0, end + 4));
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (length !== undefined ? received.length - bodyStart < length : !closed) return undefined;
  const raw = received.subarray(bodyStart, length === undefined ? undefined : bodyStart + length).toString();
  let body: JsonBody = raw;
  try {
    body = JSON.parse(raw);
  } catch {}
  const connectionClose = headers.connection?.toLowerCase() === 'close';
  return { status: Number(statusLine.split(' ')[1]), headers, body, closed: closed || connectionClose };
}

/** One HTTP/1.1 request as text, `Connection: close` unless the headers say otherwise. */
export function httpText(
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body = '',
): string {
  const all: Record<string, string | number> = { host: 'localhost', connection: 'close', ...headers };
  const head = Object.entries(all)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return `${method} ${path} HTTP/1.1\r\n${head}\r\n${body}`;
}
