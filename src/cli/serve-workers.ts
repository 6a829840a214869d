/**
 * `serve --workers N`: N gateway processes (node:cluster) accepting on one port. Each worker is a
 * gateway instance of its own over the shared store — its own heartbeat, job claims and live
 * streams — so a request, a WebSocket or a resumed stream may land on any of them with the same
 * guarantees as across hosts. That needs a store several processes share: PostgreSQL. A SQLite
 * file is one process's (start-up settles everything left running in it), so it serves one.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { GatewayConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import { isPostgresUrl, openStore } from '../store/open-store.js';

/** How many processes serve: the configured count, else one per core with PostgreSQL. */
export function workerCount(config: GatewayConfig): number {
  const shared = isPostgresUrl(config.db);
  if (config.workers === undefined) return shared ? availableParallelism() : 1;
  if (config.workers > 1 && !shared) {
    throw new ConfigError(
      `--workers ${config.workers} needs a store processes can share: set RGW_DB to a postgres:// URL (a SQLite store serves one worker).`,
    );
  }
  return config.workers;
}

/**
 * In the primary process with more than one worker: migrates once if asked, forks the workers,
 * replaces any that dies and stops them all on SIGINT/SIGTERM; true. In a worker, or with one
 * worker: false, and the caller serves in this process.
 */
export async function serveWorkers(config: GatewayConfig): Promise<boolean> {
  if (cluster.isWorker) {
    // The primary is gone (killed): so is the port's owner; the other instances sweep our work.
    process.once('disconnect', () => process.exit(1));
    return false;
  }
  const count = workerCount(config);
  if (count === 1) return false;
  if (config.migrate) {
    const store = openStore(config.db);
    try {
      await store.prepare({ migrate: true });
    } finally {
      await store.close();
    }
  }
  let stopping = false;
  const fork = () => cluster.fork({ RGW_WORKERS: '1' });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // Its running work is swept by the other workers once its lease runs out.
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  for (let i = 0; i < count; i++) fork();
  console.log(`responses-gateway primary ${process.pid}: ${count} workers`);
  return true;
}
