/**
 * A SERVER span per API request (/v1/…; probes and scrapes are left out), named by its route
 * pattern, continuing the caller's trace when it sent a W3C `traceparent`. It ends when the
 * response does — an event stream's when its last event went out, or when the client left.
 * Registered only when tracing is on.
 */
import type { FastifyInstance } from 'fastify';
import type { TraceSpan } from '../engine/trace-span.js';
import type { Tracing } from '../observability/tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's span; undefined when tracing is off or the route is not traced. */
    traceSpan: TraceSpan | undefined;
  }
}

export function registerRequestTracing(app: FastifyInstance, tracing: Tracing): void {
  app.decorateRequest('traceSpan', undefined);
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/v1/')) return done();
    const span = tracing.server(`${request.method} ${route}`, request.headers, {
      'http.request.method': request.method,
      'http.route': route,
      'url.path': request.url.split('?', 1)[0],
      'rgw.request.id': String(request.id),
    });
    if (!span) return done();
    request.traceSpan = span;
    // `close` comes after `finish`, and also when the client went away before the end.
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      span.set({
        'http.response.status_code': status,
        'rgw.tenant.id': request.principal?.tenantId,
        ...(reply.raw.writableFinished ? {} : { 'rgw.client_aborted': true }),
      });
      if (status >= 500) span.fail(String(status));
      span.end();
    });
    done();
  });
}
