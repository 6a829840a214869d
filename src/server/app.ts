/** The HTTP app: routes, authentication and the error envelope, over fastify. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { ResponseEngine } from '../engine/response-engine.js';
import { GatewayError } from '../errors.js';
import { newId } from '../ids.js';
import type { Authenticator, Principal } from './auth.js';
import { renderError } from './error-response.js';
import { registerResponseRoutes } from './routes/responses.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export interface AppDeps {
  engine: ResponseEngine;
  authenticator: Authenticator;
  logger: Logger;
  bodyLimit: number;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Two log lines per request cost more than the rest of a proxied request; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit,
    genReqId: () => newId('req'),
    requestIdHeader: false,
    return503OnClosing: false,
  });
  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (!request.url.startsWith('/v1/')) return;
    request.principal = deps.authenticator.authenticate(
      request.headers.authorization,
      request.socket.remoteAddress,
    );
  });

  app.setErrorHandler((error, request, reply) => {
    const rendered = renderError(error);
    if (rendered.status >= 500 && !(error instanceof GatewayError)) {
      request.log.error({ err: error, url: request.url }, 'request failed');
    }
    return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        message: `Invalid URL (${request.method} ${request.url.split('?')[0]})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    }),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  registerResponseRoutes(app, deps.engine);
  return app;
}
