/**
 * web_search with no backend on the gateway, on a native Responses upstream: the entry goes to the
 * upstream as the client wrote it, the upstream runs it, and its web_search_call item and
 * url_citation annotations come back through the gateway — streamed and not, stored. On a Chat
 * Completions upstream the same request follows tools.webSearchWhenUnavailable (drop).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockResponsesUpstream } from '../mocks/responses-mock.js';
import { type Any, type ProviderGateway, startProviderGateway } from '../providers/provider-gateway.js';
import { checkStream } from './stream-helpers.js';

type Mock = Awaited<ReturnType<typeof startMockResponsesUpstream>>;

const TEXT = 'E42 means the lidar is obstructed ([example.com](https://example.com/k7)).';
const CITATION = {
  type: 'url_citation',
  url: 'https://example.com/k7',
  title: 'K7 error codes',
  start_index: TEXT.indexOf('(['),
  end_index: TEXT.length - 1,
};

describe('web_search passed through to a native Responses upstream', () => {
  let mock: Mock;
  let gw: ProviderGateway;
  const ask = (extra: Record<string, unknown> = {}) => {
    mock.reset();
    mock.enqueue({
      kind: 'response',
      webSearch: { query: 'K7 E42', sources: ['https://example.com/k7'] },
      text: TEXT,
      annotations: [CITATION],
    });
    return {
      model: 'openai/gpt-x',
      input: 'What does E42 mean on the K7?',
      tools: [
        { type: 'web_search', search_context_size: 'low', filters: { allowed_domains: ['example.com'] } },
      ],
      ...extra,
    } as Any;
  };
  const expectAnswer = (response: Any) => {
    expect(response.status).toBe('completed');
    expect(response.output.map((item: Any) => item.type)).toEqual(['web_search_call', 'message']);
    expect(response.output[0]).toMatchObject({
      id: expect.stringMatching(/^ws_[0-9a-f]{48}$/),
      status: 'completed',
      action: { type: 'search', query: 'K7 E42' },
    });
    expect(response.output_text).toBe(TEXT);
    expect(response.output[1].content[0].annotations).toEqual([CITATION]);
  };

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

  it('sends the entry as given and returns the upstream call and its citations', async () => {
    const response: Any = await gw.client.responses.create(
      ask({ include: ['web_search_call.action.sources'] }),
    );
    expectAnswer(response);
    expect(response.output[0].action.sources).toEqual([{ type: 'url', url: 'https://example.com/k7' }]);
    const sent: Any = mock.requests[0]!.body;
    expect(sent.tools).toEqual([
      { type: 'web_search', search_context_size: 'low', filters: { allowed_domains: ['example.com'] } },
    ]);
    expect(sent.include).toContain('web_search_call.action.sources');
    expect((await gw.client.responses.retrieve(response.id)).output).toEqual(response.output);
  });

  it('streams the call phases and the annotation', async () => {
    const result = await gw.stream({ ...ask(), stream: true });
    checkStream(result);
    expect(result.types.filter((type) => type.includes('web_search') || type.includes('annotation'))).toEqual(
      [
        'response.web_search_call.in_progress',
        'response.web_search_call.searching',
        'response.web_search_call.completed',
        'response.output_text.annotation.added',
      ],
    );
    const added = result.data.find((event) => event.type === 'response.output_text.annotation.added');
    expect(added).toMatchObject({
      output_index: 1,
      content_index: 0,
      annotation_index: 0,
      annotation: CITATION,
    });
    expectAnswer(result.data.at(-1).response);
  });
});
