/**
 * A fast Chat Completions upstream for benchmarks: node:http, fixed payloads in precomputed
 * buffers, no JSON parsing on the common path. (test/mocks/ is the scriptable, feature-rich one.)
 *
 * The reply is chosen from the raw request body, by substring:
 * - `"stream":true` streams, otherwise one `chat.completion`;
 * - model `bench` (default): the whole stream in one write;
 * - model `bench-paced-<events>-<intervalMs>`: a content chunk every interval, each carrying its
 *   scheduled send time as `T<epoch ms>;` so the client can measure lateness end to end;
 * - model `bench-count`: parses the body and answers `messages=<n>` (for conversation chains).
 *
 * Run as a process: `PORT=0 node mock-upstream.js`; it sends `{ port }` over IPC when listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TEXT_PIECES = [
  'Hello',
  '!',
  ' This',
  ' is',
  ' a',
  ' fixed',
  ' benchmark',
  ' answer',
  ',',
  ' about',
  ' as',
  ' long',
  ' as',
  ' a',
  ' short',
  ' reply',
  '.',
];
const USAGE = {
  prompt_tokens: 12,
  completion_tokens: TEXT_PIECES.length,
  total_tokens: 12 + TEXT_PIECES.length,
};
const CREATED = 1_700_000_000;

function chunk(model: string, delta: object, finish: string | null, usage?: object): string {
  const body = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

function completion(model: string, content: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: USAGE,
    }),
  );
}

const COMPLETION = completion('bench', TEXT_PIECES.join(''));
const STREAM = Buffer.from(
  chunk('bench', { role: 'assistant', content: '' }, null) +
    TEXT_PIECES.map((piece) => chunk('bench', { content: piece }, null)).join('') +
    chunk('bench', {}, 'stop') +
    chunk('bench', {}, null, USAGE) +
    'data: [DONE]\n\n',
);
const STREAM_HEAD = Buffer.from(chunk('bench', { role: 'assistant', content: '' }, null));
const STREAM_TAIL = Buffer.from(
  chunk('bench', {}, 'stop') + chunk('bench', {}, null, USAGE) + 'data: [DONE]\n\n',
);
const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(COMPLETION.length) };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

// ------------------------------------------------------------------ paced streams

interface PacedStream {
  res: ServerResponse;
  /** Epoch ms of each content chunk's schedule: start + i * interval. */
  start: number;
  interval: number;
  remaining: number;
  index: number;
}

const paced = new Set<PacedStream>();
let ticker: NodeJS.Timeout | undefined;

/** Wall-clock ms with sub-ms precision, comparable across processes on this machine. */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

function pacedChunk(at: number): string {
  return chunk('bench', { content: `T${at.toFixed(1)};` }, null);
}

/** One timer for every paced stream: writes each chunk that is due, then ends finished streams. */
function tick(): void {
  const now = epochMs();
  for (const stream of paced) {
    while (stream.remaining > 0) {
      const at = stream.start + stream.index * stream.interval;
      if (at > now) break;
      stream.res.write(pacedChunk(at));
      stream.index++;
      stream.remaining--;
    }
    if (stream.remaining === 0) {
      paced.delete(stream);
      stream.res.end(STREAM_TAIL);
    }
  }
  if (paced.size === 0 && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

function startPaced(res: ServerResponse, events: number, interval: number): void {
  res.writeHead(200, SSE_HEADERS);
  const start = epochMs();
  // Head and the first content chunk go out at once: time to first token is the path's own cost.
  res.write(Buffer.concat([STREAM_HEAD, Buffer.from(pacedChunk(start))]));
  if (events <= 1) return void res.end(STREAM_TAIL);
  const stream: PacedStream = { res, start, interval, remaining: events - 1, index: 1 };
  paced.add(stream);
  res.on('close', () => paced.delete(stream));
  ticker ??= setInterval(tick, 1);
}

// ------------------------------------------------------------------ dispatch

const PACED = /"model":"bench-paced-(\d+)-(\d+)"/;

function reply(body: string, res: ServerResponse): void {
  const stream = body.includes('"stream":true');
  const pacedMatch = stream ? PACED.exec(body) : null;
  if (pacedMatch) return startPaced(res, Number(pacedMatch[1]), Number(pacedMatch[2]));
  if (body.includes('"model":"bench-count"')) {
    const messages = (JSON.parse(body) as { messages?: unknown[]; input?: unknown[] }).messages ?? [];
    const payload = completion('bench-count', `messages=${messages.length}`);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(payload.length) });
    return void res.end(payload);
  }
  if (stream) {
    res.writeHead(200, SSE_HEADERS);
    return void res.end(STREAM);
  }
  res.writeHead(200, JSON_HEADERS);
  res.end(COMPLETION);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end('ok');
  }
  const chunks: Buffer[] = [];
  req.on('data', (data: Buffer) => chunks.push(data));
  req.on('end', () =>
    reply(chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString(), res),
  );
}

const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000 }, handle);
server.maxRequestsPerSocket = 0;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  process.send?.({ type: 'listening', port });
});
