#!/usr/bin/env node
/** `responses-gateway` / `rgw`: the command line. */
import { Command, InvalidArgumentError } from 'commander';
import { parseTime } from '../admin/time-spec.js';
import { DEFAULT_SINCE, renderUsageTable, usageQueryOf } from '../admin/usage-report.js';
import { ConfigError, type ConfigFlags, loadConfig } from '../config/load-config.js';
import { createGateway } from '../gateway.js';
import { usageQuerySchema } from '../protocol/admin.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { runDoctor } from './doctor.js';
import { createKey, type KeyOptions, listKeys, revokeKey, updateKey } from './keys.js';
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
      gateway.logger.info({ signal }, 'shutting down: finishing requests in flight');
      await gateway.shutdown();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    // A config that does not load keeps the running one: the error is logged, nothing changes.
    process.on('SIGHUP', () => {
      try {
        gateway.reload(loadConfig(flags));
      } catch (error) {
        gateway.logger.error({ err: error }, 'configuration not reloaded');
      }
    });
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
/** The limit flags `keys create` and `keys update` share; on update, `none` clears one. */
const withKeyFlags = (command: Command) =>
  command
    .option('--name <name>', 'a label for listings')
    .option('--rpm <n>', 'requests per minute', parseLimit)
    .option('--tpm <n>', 'tokens (input + output) per minute', parseLimit)
    .option('--max-concurrent <n>', 'requests in flight at once', parseLimit)
    .option('--budget <usd>', 'spend allowed per budget period, USD', parseBudget)
    .option('--budget-period <period>', 'day or month (default month)', parseBudgetPeriod)
    .option('--expires <when>', 'expiry: a duration from now (30d, 12h) or a date', parseExpires)
    .option('--models <list>', 'comma-separated models the key may name', parseModels);

type KeyFlags = ConfigFlags & KeyOptions;

withKeyFlags(withStoreFlags(keys.command('create').description('create a key and print it once')))
  .option('--tenant <tenant>', 'tenant that owns what the key creates', 'default')
  .option('--admin', 'the key also reaches the admin API (/admin/…)')
  .action(async (flags: KeyFlags & { tenant: string; admin?: boolean }) => {
    await withStore(flags, async (store) => {
      const created = await createKey(store, { ...flags, name: flags.name ?? 'key' });
      console.log(`id      ${created.id}
tenant  ${created.tenant}${created.record.admin ? '\nadmin   yes' : ''}
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
withKeyFlags(
  withStoreFlags(keys.command('update').description("change an active key's name, limits, expiry or models")),
)
  .argument('<id>', 'key id')
  .action(async (id: string, flags: KeyFlags) => {
    await withStore(flags, async (store) => {
      const updated = await updateKey(store, id, flags);
      if (updated) console.log(`updated ${id}`);
      else {
        console.error(`no active key with id ${id}`);
        process.exitCode = 1;
      }
    });
  });
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

withStoreFlags(program.command('usage').description('usage and cost over a period, grouped'))
  .option(
    '--since <when>',
    'start: a duration back from now (24h, 7d), unix seconds or a date',
    DEFAULT_SINCE,
  )
  .option('--until <when>', 'end (default now)')
  .option('--by <group>', 'key, tenant, model or provider', 'model')
  .option('--tenant <tenant>', 'only this tenant')
  .option('--json', 'print JSON instead of a table')
  .action(
    async (
      flags: ConfigFlags & { since: string; until?: string; by: string; tenant?: string; json?: boolean },
    ) => {
      const params = usageQuerySchema.safeParse({
        since: flags.since,
        until: flags.until,
        group_by: flags.by,
        tenant: flags.tenant,
      });
      if (!params.success) throw new InvalidArgumentError(`--by must be key, tenant, model or provider`);
      await withStore(flags, async (store) => {
        const query = usageQueryOf(params.data);
        const groups = await store.usage.summarize(query);
        console.log(flags.json ? JSON.stringify(groups, null, 2) : renderUsageTable(query.groupBy, groups));
      });
    },
  );

/** A positive integer, or `none` (null: the limit is cleared). */
function parseLimit(value: string): number | null {
  if (value === 'none') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive integer, or none');
  return n;
}

function parseBudget(value: string): number | null {
  if (value === 'none') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('an amount in USD, or none');
  return n;
}

function parseBudgetPeriod(value: string): 'day' | 'month' {
  if (value !== 'day' && value !== 'month') throw new InvalidArgumentError('day or month');
  return value;
}

/** Unix seconds. */
function parseExpires(value: string): number | null {
  if (value === 'none' || value === 'never') return null;
  const at = parseTime(value, 'ahead');
  if (at === undefined) throw new InvalidArgumentError('a duration (30d, 12h), a date, or never');
  return Math.floor(at / 1000);
}

function parseModels(value: string): string[] | null {
  if (value === 'none' || value === 'any') return null;
  const models = value
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (models.length === 0) throw new InvalidArgumentError('comma-separated model names, or any');
  return models;
}

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
