/**
 * local: the bundled stories260K GGUF run in-process, no mock. Nothing is scripted: checks on its
 * output are about shape, and what the tiny model cannot do is declared in `limits`.
 */
import { localCapabilities } from '../../../src/providers/local/local-capabilities.js';
import { type ProviderGateway, startProviderGateway } from '../../providers/provider-gateway.js';
import type { ConformanceDriver } from './driver.js';

export function localDriver(): ConformanceDriver {
  const none = (): never => {
    throw new Error('the local model has no upstream requests to read');
  };
  return {
    name: 'local',
    capabilities: localCapabilities,
    limits: {
      reasoning: 'stories260K has a plain-text chat wrapper without thought segments: it never reasons',
      reasoningReplay: 'stories260K produces no reasoning to replay',
      toolCalls:
        'a 260K-parameter story model does not choose calls by itself: its round trip forces the call (tool_choice)',
      parallelToolCalls:
        'a forced call yields exactly one function call, and the story model makes none by itself',
      upstreamErrors:
        'an in-process model has no upstream HTTP status or mid-stream transport failure to map',
    },
    model: 'local/stories260K',
    upstreamModel: 'stories260K',
    script: undefined,
    // Deterministic and short.
    defaults: { temperature: 0, max_output_tokens: 24 },
    // No env at all: the gateway serves the bundled model as provider `local`.
    start: (): Promise<ProviderGateway> => startProviderGateway({}),
    reset: () => {},
    requestCount: 0,
    sent: none,
    waitForAbort: none,
    close: async () => {},
  };
}
