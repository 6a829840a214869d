/** The HTTP app: routes, authentication and the error envelope, over fastify. */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { BackgroundResponses } from '../engine/background-responses.js';
import type { Conversations } from '../engine/conversations.js';
import type { LiveEvents } from '../engine/live-events.js';
import type { ResponseEngine } from '../engine/response-engine.js';
import type { ResponseStreams } from '../engine/response-streams.js';
import type { StoredResponses } from '../engine/stored-responses.js';
import { GatewayError } from '../errors.js';
import type { Files } from '../files/files.js';
import { newId } from '../ids.js';
import type { Limiter } from '../limits/limiter.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { Containers } from '../tools/containers/containers.js';
import { registerAdmission } from './admission.js';
import type { Authenticator, Principal } from './auth.js';
import { checkBodyDepth } from './body-depth.js';
import { clientErrorHandler } from './client-error.js';
import { registerContentDecoding } from './content-decoding.js';
import { renderError, renderNoRoute } from './error-response.js';
import { type InFlight, trackInFlight } from './in-flight.js';
import { registerOpenApiRoute } from './openapi.js';
import { registerRequestMetrics } from './request-metrics.js';
import { registerRequestTracing } from './request-tracing.js';
import { type AdminDeps, registerAdminRoutes } from './routes/admin.js';
import { registerContainerRoutes } from './routes/containers.js';
import { registerConversationRoutes } from './routes/conversations.js';
import { registerFileRoutes } from './routes/files.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { type ModelDirectory, registerModelRoutes } from './routes/models.js';
import { registerPlaygroundRoutes } from './routes/playground.js';
import { type PricesDeps, registerPriceRoutes } from './routes/prices.js';
import { registerResponseContextRoutes } from './routes/response-context.js';
import { registerResponseRoutes } from './routes/responses.js';
import { registerStoredResponseRoutes } from './routes/stored-responses.js';
import { registerVectorStoreRoutes, type VectorStoreRoutesDeps } from './routes/vector-stores.js';
import { attachWebSocketMode } from './websocket.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export interface AppDeps {
  engine: ResponseEngine;
  background: BackgroundResponses;
  live: LiveEvents;
  streams: ResponseStreams;
  responses: StoredResponses;
  conversations: Conversations;
  /** Rejects when the store cannot serve; for /readyz. */
  checkReady: () => Promise<void>;
  authenticator: Authenticator;
  /** Rate limits, concurrency and budgets of every model call. */
  limiter: Limiter;
  metrics: GatewayMetrics;
  /** Absent: tracing off, and no tracing hook at all. */
  tracing?: Tracing | undefined;
  logger: Logger;
  bodyLimit: number;
  /** The Files API; without it /v1/files is not registered. */
  files?: Files;
  /** The Vector Stores API; without it /v1/vector_stores is not registered. */
  vectorStores?: VectorStoreRoutesDeps;
  /** Served as GET /v1/models; without it that route is not registered. */
  models?: ModelDirectory;
  /** The Containers API; without it those routes are not registered. */
  containers?: Containers;
  /** The price table behind GET /playground/prices; without it that route is not registered. */
  prices?: PricesDeps['prices'];
  /** The admin API (/admin/…); without it those routes are not registered. */
  admin?: Omit<AdminDeps, 'authenticator'>;
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const rendered = renderError(error, request);
  // A client that went away aborted its own request: nothing failed on our side.
  const clientGone = request.raw.destroyed || reply.raw.destroyed;
  if (rendered.status >= 500 && !(error instanceof GatewayError) && !clientGone) {
    request.log.error({ reqId: request.id, err: error, url: request.url }, 'request failed');
  }
  return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
}

export function buildApp(deps: AppDeps): { app: FastifyInstance; inFlight: InFlight } {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Two log lines per request cost more than the rest of a proxied request; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit,
    genReqId: (raw) => acceptedRequestId(raw.headers['x-request-id']) ?? newId('req'),
    // No child logger per request (pino's child costs more than routing): the one place that logs
    // about a request adds its id itself.
    childLoggerFactory: (logger) => logger,
    requestIdHeader: false,
    return503OnClosing: false,
    // Shutdown must not wait on open event streams or hung upstream calls.
    forceCloseConnections: true,
    // Errors fastify answers by itself otherwise, each with a body of its own shape.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      sendError(error, request, reply);
    },
    clientErrorHandler: clientErrorHandler(deps.logger),
  });
  app.decorateRequest('principal', undefined);
  const inFlight = trackInFlight(app);
  // Bodies are JSON only: without this, fastify's built-in text/plain parser hands the route a string.
  app.removeContentTypeParser('text/plain');
  registerContentDecoding(app, deps.bodyLimit);
  // First, so that a span also covers authentication and admission (and their refusals).
  if (deps.tracing) registerRequestTracing(app, deps.tracing);

  // Callback style: a static key is recognised synchronously, and then no promise is made at all.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // The routed path, not the raw one: `/%76%31/files` reaches the /v1/files route too.
    const route = request.routeOptions.url;
    if (!(route ?? request.url).startsWith('/v1/')) return done();
    let principal: Principal | Promise<Principal>;
    try {
      principal = deps.authenticator.authenticate(
        request.headers.authorization,
        request.socket.remoteAddress,
      );
    } catch (error) {
      return done(error as Error);
    }
    if (!(principal instanceof Promise)) {
      request.principal = principal;
      return done();
    }
    principal.then(
      (resolved) => {
        request.principal = resolved;
        done();
      },
      (error: Error) => done(error),
    );
  });

  registerRequestMetrics(app, deps.metrics);
  registerAdmission(app, deps.limiter);
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      checkBodyDepth(request.body);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });

  app.setErrorHandler(sendError);

  // A known path with another method is no route either: OpenAI answers both alike, with a 404.
  app.setNotFoundHandler((request, reply) => {
    const rendered = renderNoRoute(request);
    return reply.code(rendered.status).send(rendered.body);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.checkReady();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', error: (error as Error).message });
    }
  });
  registerPlaygroundRoutes(app);
  if (deps.prices) {
    registerPriceRoutes(app, {
      prices: deps.prices,
      authenticator: deps.authenticator,
      models: deps.models,
    });
  }
  registerMetricsRoute(app, deps.metrics);
  registerOpenApiRoute(app, '0.1.0');
  if (deps.admin) registerAdminRoutes(app, { ...deps.admin, authenticator: deps.authenticator });
  registerResponseRoutes(app, deps);
  registerResponseContextRoutes(app, deps.engine);
  registerStoredResponseRoutes(app, deps);
  registerConversationRoutes(app, deps.conversations);
  if (deps.files) registerFileRoutes(app, deps.files);
  if (deps.vectorStores) registerVectorStoreRoutes(app, deps.vectorStores);
  if (deps.models) registerModelRoutes(app, deps.models);
  if (deps.containers) registerContainerRoutes(app, deps.containers, { maxUploadBytes: deps.bodyLimit });
  attachWebSocketMode(app, {
    engine: deps.engine,
    live: deps.live,
    authenticator: deps.authenticator,
    limiter: deps.limiter,
    logger: deps.logger,
    maxPayload: deps.bodyLimit,
    tracing: deps.tracing,
  });
  return { app, inFlight };
}

/**
 * A client's own request id is kept (and returned) when it is a plausible one: printable ASCII
 * without spaces, up to 128 characters, so that it cannot break a log line or a header.
 */
function acceptedRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && /^[\x21-\x7e]{1,128}$/.test(header) ? header : undefined;
}
