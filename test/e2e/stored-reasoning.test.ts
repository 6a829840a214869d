/**
 * With `store:true` and no `include`, an upstream's own reasoning token is kept (sealed) with the
 * stored reasoning item, so `previous_response_id` turns send it back; reads show it only when
 * `include` names `reasoning.encrypted_content`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockResponsesUpstream, startMockResponsesUpstream } from '../mocks/responses-mock.js';
import { type ProviderGateway, startProviderGateway } from '../providers/provider-gateway.js';

let mock: MockResponsesUpstream;
let gw: ProviderGateway;

beforeAll(async () => {
  mock = await startMockResponsesUpstream({ apiKey: 'k' });
  gw = await startProviderGateway({
    OPENAI_BASE_URL: mock.baseUrl,
    OPENAI_API: 'responses',
    OPENAI_API_KEY: 'k',
  });
});
afterAll(async () => {
  await gw?.close();
  await mock?.close();
});

describe('reasoning kept for stored chains', () => {
  it('replays the upstream token on a previous_response_id turn without exposing it', async () => {
    mock.enqueue({
      kind: 'response',
      text: 'First.',
      reasoning: { summary: ['Thinking.'], encryptedContent: 'gAAAA-token-1' },
    });
    const first = await gw.client.responses.create({
      model: 'gpt-x',
      input: 'Hi',
      reasoning: { effort: 'low' },
    });
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning).toBeDefined();
    expect(reasoning).not.toHaveProperty('encrypted_content');

    const plain = await gw.client.responses.retrieve(first.id);
    expect(plain.output.find((item) => item.type === 'reasoning')).not.toHaveProperty('encrypted_content');
    const included = await gw.client.responses.retrieve(first.id, {
      include: ['reasoning.encrypted_content'],
    });
    const sealed = included.output.find((item) => item.type === 'reasoning') as {
      encrypted_content?: string;
    };
    expect(sealed.encrypted_content).toMatch(/^rgw1\./);

    mock.enqueue({ kind: 'response', text: 'Second.' });
    await gw.client.responses.create({
      model: 'gpt-x',
      input: 'Again',
      previous_response_id: first.id,
      reasoning: { effort: 'low' },
    });
    const sent = mock.requests.at(-1)!.body.input as Array<Record<string, unknown>>;
    const replayed = sent.find((item) => item.type === 'reasoning');
    expect(replayed).toMatchObject({ type: 'reasoning', encrypted_content: 'gAAAA-token-1' });
  });
});
