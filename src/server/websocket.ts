/**
 * WebSocket mode on /v1/responses, as OpenAI's: after an upgrade authenticated like any request,
 * the client sends `response.create` messages (the create body plus `type`) and receives each
 * response's stream events as JSON text messages, one response at a time, in the order sent. A
 * connection keeps the context of its latest response, so `previous_response_id` continues it even
 * with store:false; a continuation of it that fails forgets it. Mistakes come back as `error`
 * messages (`{type, status, error}`) and leave the connection open.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { LiveEvents } from '../engine/live-events.js';
import { runPublished } from '../engine/published-run.js';
import type { ResponseEngine, StartedResponse } from '../engine/response-engine.js';
import { GatewayError, invalidRequest, UpstreamError } from '../errors.js';
import type { Limiter } from '../limits/limiter.js';
import type { TraceCarrier, Tracing } from '../observability/tracing.js';
import type { ResponseObject } from '../protocol/response.js';
import type { StoredItem } from '../store/types.js';
import type { Authenticator, Principal } from './auth.js';
import { checkBodyDepth } from './body-depth.js';
import { type RenderedError, renderError } from './error-response.js';
import { describeValue, parseCreateResponseBody } from './validate-request.js';

export interface WebSocketDeps {
  engine: ResponseEngine;
  live: LiveEvents;
  authenticator: Authenticator;
  logger: Logger;
  /** Largest message accepted, bytes (the HTTP body limit). */
  maxPayload: number;
  /** The same admission as POST /v1/responses: each `response.create` is one limited request. */
  limiter: Limiter;
  /** Absent: tracing off. Each `response.create` gets a SERVER span, under the upgrade's `traceparent`. */
  tracing?: Tracing | undefined;
}

const PATH = '/v1/responses';
/** `response.create` messages a connection may have waiting behind the one running. */
const MAX_WAITING = 16;
/** Bytes buffered for a slow client before reading from the upstream waits. */
const HIGH_WATER = 1024 * 1024;

/** Serves WebSocket mode on the app's HTTP server; open connections end when the app closes. */
export function attachWebSocketMode(app: FastifyInstance, deps: WebSocketDeps): void {
  const server = new WebSocketServer({ noServer: true, maxPayload: deps.maxPayload });
  const connections = new Set<ResponseSocket>();

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that goes away during the checks below must not become an unhandled error.
    socket.on('error', () => {});
    void authorize(request, deps.authenticator).then((principal) => {
      if (!('tenantId' in principal)) return refuse(socket, principal);
      server.handleUpgrade(request, socket, head, (ws) => {
        const connection = new ResponseSocket(ws, principal, deps, request.headers);
        connections.add(connection);
        ws.on('close', () => connections.delete(connection));
      });
    });
  });

  app.addHook('preClose', async () => {
    await Promise.all([...connections].map((connection) => connection.shutdown()));
    server.close();
  });
}

/** The caller's principal, or the HTTP error to refuse the upgrade with. */
async function authorize(
  request: IncomingMessage,
  authenticator: Authenticator,
): Promise<Principal | RenderedError> {
  const path = (request.url ?? '').split('?')[0];
  if (path !== PATH) {
    return renderError(
      new GatewayError(404, `Invalid URL (${request.method ?? 'GET'} ${path})`, {
        type: 'invalid_request_error',
      }),
    );
  }
  try {
    return await authenticator.authenticate(request.headers.authorization, request.socket.remoteAddress);
  } catch (error) {
    return renderError(error);
  }
}

/** Answers an upgrade request with a plain HTTP error instead of switching protocols. */
function refuse(socket: Duplex, rendered: RenderedError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(rendered.body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    ...rendered.headers,
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status] ?? ''}\r\n${head}\r\n${body}`);
}

/** One connection: its queue of create messages, the response running, and the cached context. */
class ResponseSocket {
  private readonly waiting: string[] = [];
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  /** The latest response made here, with the chain a continuation of it sees. */
  private cached: { id: string; context: StoredItem[] } | undefined;
  /** Settles once the last message sent while the buffer was full has gone out. */
  private drained: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly principal: Principal,
    private readonly deps: WebSocketDeps,
    /** The upgrade request's trace headers. */
    private readonly carrier: TraceCarrier,
  ) {
    ws.on('message', (data) => this.receive(data));
    // A client that goes away stops the response it was waiting for, as an SSE disconnect does.
    ws.on('close', () => {
      this.waiting.length = 0;
      this.abort.abort();
    });
    ws.on('error', (error) => deps.logger.debug({ err: error }, 'websocket error'));
  }

  /** Ends the running response as failed (the gateway is stopping), then closes the connection. */
  async shutdown(): Promise<void> {
    this.waiting.length = 0;
    this.abort.abort(
      new GatewayError(503, 'The gateway shut down while this response was in progress.', {
        type: 'server_error',
      }),
    );
    await this.running;
    this.ws.close(1001, 'server shutting down');
  }

  private receive(data: RawData): void {
    // Closing (client gone or gateway stopping): nothing more is started.
    if (this.abort.signal.aborted) return;
    if (this.waiting.length >= MAX_WAITING) {
      this.sendError(
        new GatewayError(
          429,
          `Too many response.create messages are waiting on this connection (at most ${MAX_WAITING}): wait for a response to end before sending more.`,
          { type: 'rate_limit_error' },
        ),
      );
      return;
    }
    this.waiting.push(textOf(data));
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    for (let next = this.waiting.shift(); next !== undefined; next = this.waiting.shift()) {
      await this.handle(next).catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'websocket response failed'),
      );
    }
    this.running = undefined;
  }

  private async handle(text: string): Promise<void> {
    const message = parseMessage(text);
    const previousId = message.previousResponseId;
    const continued = previousId !== undefined && this.cached?.id === previousId ? this.cached : undefined;
    let failed = true;
    let release: (() => void) | undefined;
    const span = this.deps.tracing?.server('WebSocket response.create', this.carrier, {
      'http.route': PATH,
      'rgw.tenant.id': this.principal.tenantId,
    });
    try {
      if (message.error) throw message.error;
      const body = parseCreateResponseBody(message.body);
      const outputAllowance = body.max_output_tokens ?? 0;
      const admission = await this.deps.limiter.admit(
        this.principal,
        body.model,
        Math.ceil(text.length / 4) + outputAllowance,
      );
      release = admission.release;
      const started = await this.deps.engine.start(body, {
        tenantId: this.principal.tenantId,
        keyId: this.principal.keyId,
        stream: true,
        signal: this.abort.signal,
        span,
        ...(continued ? { previousContext: continued.context } : {}),
      });
      const response = await this.stream(started, body.store !== false);
      failed = response.status === 'failed';
      if (response.status === 'completed' || response.status === 'incomplete') {
        this.cached = {
          id: response.id,
          context: [...started.context, ...response.output],
        };
      }
    } catch (error) {
      this.sendError(error);
    } finally {
      if (failed) span?.fail('response_failed');
      span?.end();
      release?.();
      // A continuation that failed forgets what it continued, as OpenAI's connection-local cache does.
      if (failed && continued !== undefined && this.cached === continued) this.cached = undefined;
    }
  }

  /** Sends every event of the response; stored ones can be followed from elsewhere too (GET ?stream). */
  private async stream(started: StartedResponse, logged: boolean): Promise<ResponseObject> {
    return runPublished(
      started,
      this.deps.live,
      { logged },
      (entry) => this.send(entry.data),
      () => this.backpressure(),
    );
  }

  private send(data: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount + data.length < HIGH_WATER) {
      this.ws.send(data);
      return;
    }
    this.drained = new Promise((resolve) => this.ws.send(data, () => resolve()));
  }

  private backpressure(): Promise<void> | undefined {
    if (this.ws.readyState !== WebSocket.OPEN || this.ws.bufferedAmount < HIGH_WATER) return undefined;
    const aborted = new Promise<void>((resolve) =>
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    return Promise.race([this.drained, aborted]);
  }

  /** OpenAI's error message on a socket: the HTTP error envelope with its status. */
  private sendError(error: unknown): void {
    const rendered = renderError(error);
    if (!(error instanceof GatewayError) && !(error instanceof UpstreamError) && rendered.status >= 500) {
      this.deps.logger.error({ err: error }, 'websocket request failed');
    }
    const headers = Object.keys(rendered.headers).length > 0 ? { headers: rendered.headers } : {};
    this.send(
      JSON.stringify({ type: 'error', status: rendered.status, error: rendered.body.error, ...headers }),
    );
  }
}

interface ParsedMessage {
  /** The create body: the message less `type`, streaming implied. */
  body: Record<string, unknown>;
  /** Read before validation, so a continuation that fails validation still counts as failed. */
  previousResponseId: string | undefined;
  error: GatewayError | undefined;
}

function parseMessage(text: string): ParsedMessage {
  const fail = (error: GatewayError): ParsedMessage => ({ body: {}, previousResponseId: undefined, error });
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return fail(
      invalidRequest(
        'We could not parse the JSON of your message. Each message must be a JSON object such as {"type": "response.create", ...}.',
        null,
      ),
    );
  }
  try {
    checkBodyDepth(message);
  } catch (error) {
    return fail(error as GatewayError);
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    return fail(
      invalidRequest(
        `Invalid message: expected a JSON object, but got ${describeValue(message)} instead.`,
        null,
        'invalid_type',
      ),
    );
  }
  const { type, ...rest } = message as Record<string, unknown>;
  const previous = rest.previous_response_id;
  const parsed: ParsedMessage = {
    // `stream` is implied by the transport (OpenAI: "should not be sent"); stream_options still apply.
    body: { ...rest, stream: true },
    previousResponseId: typeof previous === 'string' ? previous : undefined,
    error: undefined,
  };
  if (type === undefined) {
    parsed.error = invalidRequest(
      "Missing required parameter: 'type'.",
      'type',
      'missing_required_parameter',
    );
  } else if (type !== 'response.create') {
    parsed.error =
      typeof type === 'string'
        ? invalidRequest(
            `Invalid value: '${type}'. Supported values are: 'response.create'.`,
            'type',
            'invalid_value',
          )
        : invalidRequest(
            `Invalid type for 'type': expected a string, but got ${describeValue(type)} instead.`,
            'type',
            'invalid_type',
          );
  } else if (rest.background === true) {
    parsed.error = invalidRequest(
      'Background mode is not supported in WebSocket mode: create background responses with POST /v1/responses.',
      'background',
      'unsupported_parameter',
    );
  }
  return parsed;
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}
