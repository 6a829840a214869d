/**
 * Sealed reasoning records the provider that issued its token: replayed to the same provider it
 * goes back with its signature; after a fallback to another provider the token is left out (a
 * foreign signature would fail the call) and the text still goes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type MockAnthropicUpstream, startMockAnthropicUpstream } from '../../mocks/anthropic-mock.js';
import { type MockGeminiUpstream, startMockGeminiUpstream } from '../../mocks/gemini-mock.js';
import type { Any } from '../provider-gateway.js';

let gw: TestGateway;
let claude: MockAnthropicUpstream;
let gemini: MockGeminiUpstream;

beforeAll(async () => {
  claude = await startMockAnthropicUpstream();
  gemini = await startMockGeminiUpstream();
  gw = await startTestGateway({}, {
    providers: [
      { name: 'claude', type: 'anthropic', baseUrl: claude.url, apiKey: 'k' },
      { name: 'gem', type: 'gemini', baseUrl: gemini.url, apiKey: 'k' },
    ],
    routing: { circuitBreaker: { enabled: false } },
    aliases: { thinker: { strategy: 'fallback', targets: ['claude/claude-x', 'gem/gemini-x'] } },
  } as never);
});
afterAll(async () => {
  await gw?.close();
  await claude?.close();
  await gemini?.close();
});

const tools = [{ type: 'function', name: 'add', parameters: { type: 'object', properties: {} } }];
const reasoning = { effort: 'low' };

/** A turn that thinks (signed by Anthropic) and calls a tool; returns the request continuing it. */
const thinkingTurn = async () => {
  claude.enqueue({
    kind: 'text',
    text: '',
    thinking: { thinking: 'Two and two.', signature: 'SIG-CLAUDE' },
    toolCalls: [{ id: 'toolu_1', name: 'add', input: {} }],
  });
  const first = await gw.post('/v1/responses', { model: 'thinker', input: '2+2?', tools, reasoning });
  expect(first.status).toBe(200);
  expect(first.body.output.map((item: Any) => item.type)).toEqual(['reasoning', 'function_call']);
  return {
    model: 'thinker',
    previous_response_id: first.body.id,
    input: [{ type: 'function_call_output', call_id: first.body.output[1].call_id, output: '4' }],
    tools,
    reasoning,
  };
};

describe('reasoning tokens across providers', () => {
  it('go back to the provider that issued them', async () => {
    const continuation = await thinkingTurn();
    claude.enqueue({ kind: 'text', text: 'Four.' });
    const next = await gw.post('/v1/responses', continuation);
    expect(next.status).toBe(200);
    const sent = claude.requests.at(-1)!.body as Any;
    expect(JSON.stringify(sent.messages)).toContain('SIG-CLAUDE');
  });

  it('are left out, text kept, after a fallback to another provider', async () => {
    const continuation = await thinkingTurn();
    claude.enqueue({ kind: 'http-error', status: 503 });
    gemini.enqueue({ kind: 'text', text: 'Yes, from Gemini.' });
    const next = await gw.post('/v1/responses', continuation);
    expect(next.status).toBe(200);
    expect(next.body.output_text).toBe('Yes, from Gemini.');
    const sent = JSON.stringify(gemini.requests.at(-1)!.body);
    expect(sent).not.toContain('SIG-CLAUDE');
    expect(sent).toContain('2+2?');
  });
});
