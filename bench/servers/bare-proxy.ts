/**
 * The floor cost of a proxy hop: node:http in, undici Pool out, no features. Every POST body is
 * forwarded as it is to the upstream's Chat Completions endpoint and the upstream's bytes are
 * passed back as they arrive. It translates nothing, validates nothing, logs nothing.
 *
 * `UPSTREAM=http://127.0.0.1:1234 PORT=0 node bare-proxy.js`; sends `{ port }` over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

// No cap on connections: over HTTP/1.1 every concurrent stream needs its own.
const upstream = new Pool(process.env.UPSTREAM ?? 'http://127.0.0.1:8081', {
  pipelining: 1,
  keepAliveTimeout: 30_000,
});

const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (data: Buffer) => chunks.push(data));
  req.on('end', () => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    upstream.stream(
      {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        signal: abort.signal,
      },
      ({ statusCode, headers }) => {
        const type = String(headers['content-type'] ?? 'application/json');
        const length = headers['content-length'] as string | undefined;
        res.writeHead(
          statusCode,
          length ? { 'content-type': type, 'content-length': length } : { 'content-type': type },
        );
        // An event stream starts moving at once, as a proxy of server-sent events must.
        if (type.startsWith('text/event-stream')) res.flushHeaders();
        return res;
      },
      (error) => {
        if (error && !res.headersSent) res.writeHead(502).end();
        else if (error) res.destroy();
      },
    );
  });
});
server.maxRequestsPerSocket = 0;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});
