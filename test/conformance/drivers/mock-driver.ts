/**
 * The plumbing every mock-backed driver shares: start the mock and a gateway pointed at it, script
 * HTTP errors (alike in every mock), read requests back, reset and close. Each driver gives what
 * differs: its identity, its env, the other scripts in its wire format, and how it reads a request.
 */

import type { ProviderCapabilities } from '../../../src/providers/capabilities.js';
import { testSearchTool } from '../../helpers/test-tool.js';
import type { RecordedRequest, ScriptedFailure } from '../../mocks/mock-http.js';
import { startProviderGateway } from '../../providers/provider-gateway.js';
import type { ConformanceDriver, Scripts, SentRequest } from './driver.js';

/** What the suite needs of a mock upstream. */
export interface UpstreamMock {
  readonly requests: RecordedRequest[];
  enqueue(...replies: ScriptedFailure[]): void;
  waitForAbort(n: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export interface MockDriverSpec<Mock extends UpstreamMock> {
  name: string;
  capabilities: ProviderCapabilities;
  /** What clients send as `model`, and the id the upstream should see. */
  model: string;
  upstreamModel: string;
  startMock(): Promise<Mock>;
  /** The gateway's env, pointing it at the mock. */
  env(mock: Mock): Record<string, string>;
  /** The scripts in the mock's wire format, given its `enqueue`. */
  script(enqueue: Mock['enqueue']): Omit<Scripts, 'httpError' | 'raw'>;
  /** A recorded request in neutral form. */
  sent(request: RecordedRequest): SentRequest;
}

export function mockDriver<Mock extends UpstreamMock>(spec: MockDriverSpec<Mock>): ConformanceDriver {
  let mock: Mock;
  const enqueue = ((...replies: never[]) => mock.enqueue(...replies)) as Mock['enqueue'];
  return {
    name: spec.name,
    capabilities: spec.capabilities,
    limits: {},
    model: spec.model,
    upstreamModel: spec.upstreamModel,
    defaults: {},
    async start(options) {
      mock = await spec.startMock();
      // Media URLs of the suite are served from 127.0.0.1, which the guard refuses unless allowed.
      return startProviderGateway(
        { ...spec.env(mock), RGW_OUTBOUND_ALLOW: '127.0.0.1' },
        options?.builtInTools === 'gateway' ? {} : { tools: [testSearchTool()] },
      );
    },
    script: {
      ...spec.script(enqueue),
      raw: (failure) => mock.enqueue(failure),
      httpError: (status, retryAfter) =>
        mock.enqueue({
          kind: 'http-error',
          status,
          ...(retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
        }),
    },
    reset: () => mock.reset(),
    get requestCount() {
      return mock.requests.length;
    },
    sent: (n) => spec.sent(mock.requests[n]!),
    waitForAbort: (n) => mock.waitForAbort(n),
    close: () => mock.close(),
  };
}
