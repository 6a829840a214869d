/** A test gateway in front of a scripted Chat Completions mock (the default upstream of the e2e suites). */

import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ConfigInput } from '../../src/config/config-schema.js';
import type { GatewayExtras } from '../../src/gateway.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

export { TEST_KEY } from './test-gateway.js';

export interface Harness extends TestGateway {
  mock: MockChatUpstream;
}

export interface HarnessOptions {
  /** Extra env, as the CLI would see it (e.g. RGW_API_KEYS). */
  env?: Record<string, string>;
  /**
   * Extra config values, over what env gives (validated, so defaults apply); a function receives the
   * mock, e.g. to point a provider with its own settings at it.
   */
  config?: Partial<ConfigInput> | ((mock: MockChatUpstream) => Partial<ConfigInput>);
  /** Built-in tools and the like, as an embedding caller would add them. */
  extras?: GatewayExtras;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const mock = await startMockChatUpstream();
  const gw = await startTestGateway(
    { OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: 'upstream-key', ...options.env },
    typeof options.config === 'function' ? options.config(mock) : options.config,
    options.extras,
  );
  return {
    ...gw,
    mock,
    async close() {
      await gw.close();
      await mock.close();
    },
  };
}

/**
 * The hooks of a suite on one harness: started before the file's tests, its mock reset (answering
 * `defaultReply`) before each test, closed after them. The harness returned is filled in by the
 * beforeAll hook, so use it in hooks and tests only.
 */
export function useHarness(
  defaultReply: MockChatUpstream['defaultReply'],
  options: HarnessOptions = {},
): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    Object.assign(harness, await startHarness(options));
  });
  beforeEach(() => {
    harness.mock.reset();
    harness.mock.defaultReply = defaultReply;
  });
  afterAll(async () => {
    await harness.close?.();
  });
  return harness;
}
