/**
 * Answers a connection whose bytes never became a request (malformed HTTP, headers over the limit,
 * a request not received in time). There is no request or reply object: the answer is written to
 * the socket as raw HTTP, in the OpenAI envelope like every other error, and the connection closed,
 * since what follows on it cannot be trusted to start a request.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { renderClientError } from './error-response.js';

/** Node's private link from a socket to the response being written on it. */
interface HttpSocket extends Socket {
  _httpMessage?: { headersSent?: boolean } | null;
}

export function clientErrorHandler(
  logger: Logger,
): (error: Error & { code?: string; reason?: string }, socket: Socket) => void {
  return (error, socket) => {
    // A reset connection has no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    logger.debug({ err: error }, 'malformed client request');
    // As Node does: only when no response has started on the socket, or the peer would get a
    // corrupted stream.
    const inFlight = (socket as HttpSocket)._httpMessage;
    if (socket.writable && inFlight?.headersSent !== true) {
      const rendered = renderClientError(error);
      const body = JSON.stringify(rendered.body);
      socket.write(
        `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status]}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy(error);
  };
}
