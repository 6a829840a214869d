/**
 * A test gateway configured from env only, for the provider end-to-end tests (Anthropic, Gemini,
 * Responses, local): each test file points it at its own mock upstream. Adds an openai SDK client.
 */
import OpenAI from 'openai';
import type { ConfigInput } from '../../src/config/config-schema.js';
import type { GatewayExtras } from '../../src/gateway.js';
import type { JsonBody } from '../helpers/json-body.js';
import { startTestGateway, TEST_KEY, type TestGateway } from '../helpers/test-gateway.js';

/** Parsed wire JSON, as the provider suites name it. */
export type Any = JsonBody;

export interface ProviderGateway extends TestGateway {
  client: OpenAI;
}

export async function startProviderGateway(
  env: Record<string, string>,
  extras?: GatewayExtras,
  config?: Partial<ConfigInput>,
): Promise<ProviderGateway> {
  const gw = await startTestGateway(env, config, extras);
  return { ...gw, client: new OpenAI({ baseURL: gw.baseURL, apiKey: TEST_KEY, maxRetries: 0 }) };
}
