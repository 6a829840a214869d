/** POST /v1/responses: validate, start the engine, answer as JSON or as an event stream. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { BackgroundResponses } from '../../engine/background-responses.js';
import type { LiveEvents } from '../../engine/live-events.js';
import { eventTypeOf } from '../../engine/logged-events.js';
import { runPublished } from '../../engine/published-run.js';
import type { ResponseEngine } from '../../engine/response-engine.js';
import type { ResponseStreams } from '../../engine/response-streams.js';
import type { LoggedEvent } from '../../store/types.js';
import { renderError } from '../error-response.js';
import { endEventStream, openEventStream, writeEventData } from '../sse-writer.js';
import { parseCreateResponseBody } from '../validate-request.js';

export interface ResponseRouteDeps {
  engine: ResponseEngine;
  background: BackgroundResponses;
  live: LiveEvents;
  streams: ResponseStreams;
  logger: Logger;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function registerResponseRoutes(app: FastifyInstance, deps: ResponseRouteDeps): void {
  app.post('/v1/responses', { config: { limited: true } }, async (request, reply) => {
    const body = parseCreateResponseBody(request.body);
    const { tenantId, keyId } = request.principal!;
    const stream = body.stream === true;
    if (body.background === true) {
      const { response } = await deps.background.enqueue(body, tenantId, keyId);
      if (!stream) return reply.send(response);
      // Following a background response: a disconnect only stops the following, not the work.
      const follower = await deps.streams.open(tenantId, response.id, -1);
      return streamEvents(reply, String(request.id), (write, signal) => follower.run(write, signal));
    }
    const abort = new AbortController();
    // A client that goes away stops the upstream call.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const started = await deps.engine.start(body, {
      tenantId,
      keyId,
      stream,
      signal: abort.signal,
      span: request.traceSpan,
      // A child logger costs little next to a model call, and ties the engine's lines to the request.
      logger: deps.logger.child({ reqId: request.id }),
    });
    if (!stream) {
      const response = await started.run();
      // Serialised here rather than by fastify's serializer: the same JSON, with less machinery.
      return reply.type(JSON_TYPE).send(JSON.stringify(response));
    }
    return streamEvents(reply, String(request.id), async (write) => {
      const res = reply.raw;
      const drained = () => (res.writableNeedDrain && !res.destroyed ? waitForDrain(res) : undefined);
      await runPublished(
        started,
        deps.live,
        { logged: body.store !== false },
        (entry, event) => write(entry, event.type),
        drained,
      );
    });
  });
}

function waitForDrain(res: FastifyReply['raw']): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Takes over the reply as an event stream fed by `produce`, and ends it when `produce` is done. */
export async function streamEvents(
  reply: FastifyReply,
  requestId: string,
  produce: (write: (event: LoggedEvent, type?: string) => void, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  const gone = new AbortController();
  // Only a client that left early aborts: an AbortError on every finished stream costs a stack trace.
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  // The headers set before the takeover (x-request-id, x-ratelimit-*) go out with the stream.
  openEventStream(res, { ...reply.getHeaders(), 'x-request-id': requestId });
  let next = 0;
  try {
    // The type is read from the JSON only for events replayed from the log.
    await produce((event, type) => {
      next = event.seq + 1;
      writeEventData(res, type ?? eventTypeOf(event.data), event.data);
    }, gone.signal);
  } catch (error) {
    // Past the headers a failure can only be told in the stream: an `error` event, never a stream
    // that stops without its end.
    if (!res.destroyed) {
      const { body } = renderError(error);
      const { code, message, param } = body.error;
      const data = JSON.stringify({ type: 'error', code, message, param, sequence_number: next });
      writeEventData(res, 'error', data);
    }
  } finally {
    endEventStream(res);
  }
}
