/**
 * The cheapest possible HTTP/1.1 client for long event streams: one socket per request, the body
 * handed over chunk by chunk as it arrives, unparsed (markers never straddle the chunked framing,
 * which is all that sits between them); the response ends with the last chunk (`0\r\n\r\n`). At a
 * thousand streams of 50 events/s the load generator must stay far below the system it measures.
 */
import { connect } from 'node:net';
import type { Target } from './spec.js';

export interface RawStreamHandlers {
  /** Raw bytes after the status line; header bytes included, which hold no markers. */
  data(chunk: Buffer): void;
}

const LAST_CHUNK = '\r\n0\r\n\r\n';

/** Resolves at the end of the response; rejects on a non-200 status or a socket error. */
export function rawStream(target: Target, handlers: RawStreamHandlers): Promise<void> {
  const url = new URL(target.origin);
  const body = Buffer.from(target.body);
  let head = `POST ${target.path} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\n`;
  head += `content-type: application/json\r\ncontent-length: ${body.length}\r\n`;
  for (const [name, value] of Object.entries(target.headers)) head += `${name}: ${value}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    let statusChecked = false;
    let tail = '';
    socket.on('connect', () => {
      socket.write(Buffer.concat([Buffer.from(`${head}\r\n`), body]));
    });
    socket.on('data', (chunk: Buffer) => {
      if (!statusChecked) {
        statusChecked = true;
        const status = chunk.toString('latin1', 0, Math.min(chunk.length, 16));
        if (!status.startsWith('HTTP/1.1 200')) {
          socket.destroy();
          return reject(new Error(`HTTP ${status.slice(9, 12)}`));
        }
      }
      handlers.data(chunk);
      tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - LAST_CHUNK.length))).slice(
        -LAST_CHUNK.length,
      );
      if (tail === LAST_CHUNK) {
        socket.destroy();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}
