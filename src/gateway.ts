/** Composition root: config → providers → engine → HTTP app. */
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import type { GatewayConfig } from './config/config-schema.js';
import { ResponseEngine } from './engine/response-engine.js';
import { ProviderRegistry } from './providers/registry.js';
import { buildApp } from './server/app.js';
import { Authenticator } from './server/auth.js';

export interface Gateway {
  app: FastifyInstance;
  logger: Logger;
  /** Where it listens, once started. */
  url: string;
  start(): Promise<string>;
  close(): Promise<void>;
}

export function createGateway(
  config: GatewayConfig,
  logger: Logger = createLogger(config.logLevel),
): Gateway {
  const registry = new ProviderRegistry(config);
  const authenticator = new Authenticator(config.apiKeys);
  const engine = new ResponseEngine({ registry, toolPolicy: config.tools, logger });
  const app = buildApp({ engine, authenticator, logger, bodyLimit: config.bodyLimit });
  const gateway: Gateway = {
    app,
    logger,
    url: '',
    async start() {
      const address = await app.listen({ host: config.host, port: config.port });
      gateway.url = address.replace('[::1]', 'localhost');
      if (authenticator.open) {
        logger.warn(
          'no API keys configured (RGW_API_KEYS): accepting any bearer token from loopback callers only',
        );
      }
      if (registry.names.length === 0) {
        logger.warn('no upstream provider configured: set OPENAI_BASE_URL/OPENAI_API_KEY or a config file');
      } else {
        logger.info({ providers: registry.names }, 'providers ready');
      }
      return gateway.url;
    },
    async close() {
      await app.close();
      await registry.close();
    },
  };
  return gateway;
}

export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
