#!/usr/bin/env node
/** `responses-gateway` / `rgw`: the command line. */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, type ConfigFlags, loadConfig } from '../config/load-config.js';
import { createGateway } from '../gateway.js';
import { runDoctor } from './doctor.js';

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

withConfigFlags(program.command('serve').description('run the gateway (default)')).action(
  async (flags: ConfigFlags) => {
    const gateway = createGateway(loadConfig(flags));
    const shutdown = async (signal: string) => {
      gateway.logger.info({ signal }, 'shutting down');
      await gateway.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    const url = await gateway.start();
    gateway.logger.info(`responses-gateway listening on ${url}`);
  },
);

withConfigFlags(
  program.command('doctor').description('check the configuration and reach each provider'),
).action(async (flags: ConfigFlags) => {
  process.exitCode = await runDoctor(loadConfig(flags));
});

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
