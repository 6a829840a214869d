#!/usr/bin/env node
/** `responses-gateway` / `rgw`: the command line. */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, type ConfigFlags, loadConfig } from '../config/load-config.js';
import { createGateway } from '../gateway.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { runDoctor } from './doctor.js';
import { createKey, listKeys, revokeKey } from './keys.js';
import { serveWorkers } from './serve-workers.js';

const program = new Command()
  .name('responses-gateway')
  .description('Self-hosted OpenAI Responses API over any model provider')
  .version('0.1.0');

const withConfigFlags = (command: Command) =>
  command
    .option('-c, --config <file>', 'config file, YAML or JSON (env RGW_CONFIG)')
    .option('--host <host>', 'bind address (env RGW_HOST)')
    .option('-p, --port <port>', 'port (env RGW_PORT)', parsePort)
    .option('--db <path>', 'store: SQLite file path or postgres:// URL (env RGW_DB)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env RGW_LOG_LEVEL)');

withConfigFlags(program.command('serve').description('run the gateway (default)'))
  .option('--migrate', 'bring the store schema up to date first (PostgreSQL; SQLite always does)')
  .option(
    '--workers <n>',
    'gateway processes sharing the port (env RGW_WORKERS); default: one per core with PostgreSQL, 1 with SQLite',
    parseCount,
  )
  .action(async (flags: ConfigFlags) => {
    const config = loadConfig(flags);
    if (await serveWorkers(config)) return;
    const gateway = createGateway(config);
    const shutdown = async (signal: string) => {
      gateway.logger.info({ signal }, 'shutting down');
      await gateway.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    const url = await gateway.start();
    gateway.logger.info(`responses-gateway listening on ${url}`);
  });

withConfigFlags(
  program.command('doctor').description('check the configuration and reach each provider'),
).action(async (flags: ConfigFlags) => {
  process.exitCode = await runDoctor(loadConfig(flags));
});

const withStoreFlags = (command: Command) =>
  command
    .option('-c, --config <file>', 'config file, YAML or JSON (env RGW_CONFIG)')
    .option('--db <path>', 'store: SQLite file path or postgres:// URL (env RGW_DB)');

/** Runs `work` against the configured store (its schema checked) and closes it afterwards. */
async function withStore(
  flags: ConfigFlags,
  work: (store: Store) => Promise<void>,
  options: { migrate: boolean } = { migrate: false },
): Promise<void> {
  const store = openStore(loadConfig(flags).db);
  try {
    await store.prepare(options);
    await work(store);
  } finally {
    await store.close();
  }
}

withStoreFlags(program.command('migrate').description('create or upgrade the store schema')).action(
  async (flags: ConfigFlags) => {
    await withStore(
      flags,
      async (store) => {
        await store.ping();
        console.log(`store ${redactUrl(loadConfig(flags).db)} is up to date`);
      },
      { migrate: true },
    );
  },
);

const keys = program.command('keys').description('manage API keys (stored hashed; each key has a tenant)');
withStoreFlags(keys.command('create').description('create a key and print it once'))
  .option('--tenant <tenant>', 'tenant that owns what the key creates', 'default')
  .option('--name <name>', 'a label for listings', 'key')
  .action(async (flags: ConfigFlags & { tenant: string; name: string }) => {
    await withStore(flags, async (store) => {
      const created = await createKey(store, { tenant: flags.tenant, name: flags.name });
      console.log(`id      ${created.id}
tenant  ${created.tenant}
key     ${created.key}
(the key is shown only now)`);
    });
  });
withStoreFlags(keys.command('list').description('list keys (never the keys themselves)')).action(
  async (flags: ConfigFlags) => {
    await withStore(flags, async (store) => {
      const lines = await listKeys(store);
      console.log(lines.length > 0 ? lines.join('\n') : 'no keys');
    });
  },
);
withStoreFlags(keys.command('revoke').description('revoke a key by id').argument('<id>', 'key id')).action(
  async (id: string, flags: ConfigFlags) => {
    await withStore(flags, async (store) => {
      if (await revokeKey(store, id)) console.log(`revoked ${id}`);
      else {
        console.error(`no active key with id ${id}`);
        process.exitCode = 1;
      }
    });
  },
);

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('not a positive integer');
  return count;
}

/** A postgres:// URL without its password, for messages. */
function redactUrl(location: string): string {
  return location.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('not a port number');
  return port;
}

if (process.argv.length <= 2) process.argv.push('serve');
program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
