/**
 * Where the limiter meets HTTP: routes that call a model (`config: { limited: true }`) are admitted
 * (or refused with a 429) before their handler runs and hold a concurrency slot until their reply
 * closes; every other /v1 request only gets the x-ratelimit-* headers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Admission, Limiter } from '../limits/limiter.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route calls a model: it counts against the caller's limits. */
    limited?: boolean;
  }
}

/** The body fields admission reads (validation proper happens in the handler). */
interface ModelBody {
  model?: unknown;
  max_output_tokens?: unknown;
}

export function registerAdmission(app: FastifyInstance, limiter: Limiter): void {
  app.addHook('preHandler', (request, reply, done) => {
    const principal = request.principal;
    if (principal === undefined) return done();
    if (request.routeOptions.config.limited !== true) {
      reply.headers(limiter.peek(principal));
      return done();
    }
    const body = (request.body ?? {}) as ModelBody;
    const model = typeof body.model === 'string' ? body.model : undefined;
    let admitted: Admission | Promise<Admission>;
    try {
      admitted = limiter.admit(principal, model, estimateTokens(request, body));
    } catch (error) {
      return done(error as Error);
    }
    if (!(admitted instanceof Promise)) return done(hold(reply, admitted));
    admitted.then(
      (admission) => done(hold(reply, admission)),
      (error: Error) => done(error),
    );
  });
}

function hold(reply: FastifyReply, admission: Admission): undefined {
  reply.headers(admission.headers);
  // 'close' comes for finished, hijacked (event streams) and aborted replies alike.
  reply.raw.once('close', admission.release);
  return undefined;
}

/**
 * Tokens a request may use, before it runs: its body at about four bytes a token (the body is
 * the input, mostly) plus the output it allows. Counted exactly after, from the usage.
 */
function estimateTokens(request: FastifyRequest, body: ModelBody): number {
  const bytes = Number(request.headers['content-length'] ?? 0);
  const output = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : 0;
  return Math.ceil((Number.isFinite(bytes) ? bytes : 0) / 4) + output;
}
