/**
 * Requests in flight, for a graceful shutdown: it waits until they are done (event streams
 * included, as their reply closes only at their end). While draining, replies ask the client to
 * close its connection, so keep-alive clients move to another instance.
 */
import type { FastifyInstance } from 'fastify';

export interface InFlight {
  readonly count: number;
  /** Replies from now on carry `connection: close`. */
  drain(): void;
  /** Resolves true once nothing is in flight, false when `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean>;
}

export function trackInFlight(app: FastifyInstance): InFlight {
  let count = 0;
  let draining = false;
  let waiters: Array<() => void> = [];
  const done = () => {
    count--;
    if (count === 0) {
      for (const wake of waiters) wake();
      waiters = [];
    }
  };
  app.addHook('onRequest', (_request, reply, next) => {
    count++;
    reply.raw.once('close', done);
    if (draining) reply.header('connection', 'close');
    next();
  });
  return {
    get count() {
      return count;
    },
    drain() {
      draining = true;
    },
    idle(timeoutMs) {
      if (count === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
