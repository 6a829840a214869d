/**
 * Built-in tools a native Responses upstream runs itself: per provider, `builtInTools` says who runs
 * each (`upstream`: the entry goes to it as the client wrote it; `local`: the gateway runs it), and
 * unset means the gateway when it has the tool set up, else the upstream. The upstream's call items
 * come back as the gateway's own would (ids, phases, results at done), streamed and not, stored;
 * `tool_choice` naming such a tool reaches the upstream as written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config-schema.js';
import { PNG_B64 } from '../mocks/images-mock.js';
import { startMockResponsesUpstream } from '../mocks/responses-mock.js';
import { type Any, type ProviderGateway, startProviderGateway } from '../providers/provider-gateway.js';
import { checkStream } from './stream-helpers.js';

type Mock = Awaited<ReturnType<typeof startMockResponsesUpstream>>;

const FILE_SEARCH_CALL = {
  type: 'file_search_call',
  queries: ['lidar E42'],
  results: [{ file_id: 'file-up1', filename: 'k7.pdf', score: 0.9, text: 'E42: lidar obstructed.' }],
};
const CODE_CALL = {
  type: 'code_interpreter_call',
  code: 'print(6*7)',
  container_id: 'cntr_up',
  outputs: [{ type: 'logs', logs: '42\n' }],
};
const IMAGE_CALL = {
  type: 'image_generation_call',
  result: PNG_B64,
  revised_prompt: 'a red pixel',
  size: '1024x1024',
  quality: 'low',
  background: 'opaque',
  output_format: 'png',
};

describe('built-in tools run by a native Responses upstream', () => {
  let mock: Mock;
  let configured: ProviderGateway;
  let unset: ProviderGateway;

  beforeAll(async () => {
    mock = await startMockResponsesUpstream({ apiKey: 'k' });
    const env = { OPENAI_BASE_URL: mock.baseUrl, OPENAI_API: 'responses', OPENAI_API_KEY: 'k' };
    configured = await startProviderGateway(env, undefined, {
      providers: [
        {
          name: 'openai',
          type: 'openai-responses',
          baseUrl: mock.baseUrl,
          apiKey: 'k',
          builtInTools: { file_search: 'upstream', code_interpreter: 'upstream', web_search: 'local' },
        },
      ],
    });
    unset = await startProviderGateway(env);
  });
  afterAll(async () => {
    await configured?.close();
    await unset?.close();
    await mock?.close();
  });

  const toolsAsked = {
    model: 'openai/gpt-x',
    input: 'What does E42 mean? Then compute 6*7.',
    tools: [
      { type: 'file_search', vector_store_ids: ['vs_upstream_only'], max_num_results: 3 },
      { type: 'code_interpreter', container: { type: 'auto' } },
      { type: 'web_search' },
    ],
    include: ['file_search_call.results', 'code_interpreter_call.outputs'],
  };
  const reply = () => {
    mock.reset();
    mock.enqueue({ kind: 'response', hostedCalls: [FILE_SEARCH_CALL, CODE_CALL], text: 'E42: lidar. 42.' });
  };

  it('passes the tools configured `upstream` as written and returns their items, stored', async () => {
    reply();
    const response: Any = await configured.client.responses.create(toolsAsked as Any);
    expect(response.status).toBe('completed');
    expect(response.output.map((item: Any) => item.type)).toEqual([
      'file_search_call',
      'code_interpreter_call',
      'message',
    ]);
    expect(response.output[0]).toEqual({
      ...FILE_SEARCH_CALL,
      id: expect.stringMatching(/^fs_[0-9a-f]{48}$/),
      status: 'completed',
    });
    expect(response.output[1]).toEqual({
      ...CODE_CALL,
      id: expect.stringMatching(/^ci_[0-9a-f]{48}$/),
      status: 'completed',
    });
    const sent: Any = mock.requests[0]!.body;
    // The gateway knows no vector store vs_upstream_only: the upstream's own is meant.
    expect(sent.tools).toEqual(toolsAsked.tools.slice(0, 2));
    expect(sent.include).toEqual(expect.arrayContaining(toolsAsked.include));
    expect((await configured.client.responses.retrieve(response.id)).output).toEqual(response.output);
  });

  it('replays the upstream-run calls on the next turn, as calls and their results', async () => {
    reply();
    const first: Any = await configured.client.responses.create(toolsAsked as Any);
    mock.reset();
    mock.enqueue({ kind: 'response', text: 'Still E42.' });
    const second: Any = await configured.client.responses.create({
      ...toolsAsked,
      input: 'And again?',
      previous_response_id: first.id,
    } as Any);
    expect(second.output_text).toBe('Still E42.');
    const sent: Any[] = mock.requests[0]!.body.input;
    const replayed = JSON.stringify(sent);
    expect(replayed).toContain('lidar E42');
    expect(replayed).toContain('print(6*7)');
    expect(sent.at(-1)).toMatchObject({ role: 'user' });
  });

  it('streams each upstream call with the events OpenAI sends for it, results at done', async () => {
    reply();
    const result = await configured.stream({ ...toolsAsked, stream: true });
    checkStream(result);
    expect(
      result.types.filter((type) => /_call/.test(type) || type.startsWith('response.output_item')),
    ).toEqual([
      'response.output_item.added',
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.code_interpreter_call.in_progress',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
    ]);
    const added = result.data.filter((event) => event.type === 'response.output_item.added');
    expect(added[0].item).toMatchObject({ type: 'file_search_call', status: 'in_progress', results: null });
    expect(added[1].item).toMatchObject({ type: 'code_interpreter_call', outputs: null });
    const final = result.data.at(-1).response;
    expect(final.output[1].outputs).toEqual(CODE_CALL.outputs);
    expect((await configured.client.responses.retrieve(final.id)).output).toEqual(final.output);
  });

  it('sends a tool_choice naming an upstream tool as written, and allowed_tools with it', async () => {
    reply();
    await configured.client.responses.create({ ...toolsAsked, tool_choice: { type: 'file_search' } } as Any);
    expect(mock.requests[0]!.body.tool_choice).toEqual({ type: 'file_search' });
    reply();
    const tools = [...toolsAsked.tools, { type: 'function', name: 'lookup', parameters: { type: 'object' } }];
    await configured.client.responses.create({
      ...toolsAsked,
      tools,
      tool_choice: {
        type: 'allowed_tools',
        mode: 'required',
        tools: [{ type: 'code_interpreter' }, { type: 'function', name: 'lookup' }],
      },
    } as Any);
    expect(mock.requests[0]!.body.tool_choice).toEqual({
      type: 'allowed_tools',
      mode: 'required',
      tools: [{ type: 'function', name: 'lookup' }, { type: 'code_interpreter' }],
    });
  });

  it('keeps a tool configured `local` on the gateway: web_search with no backend is left out', async () => {
    reply();
    await configured.client.responses.create(toolsAsked as Any);
    expect(mock.requests[0]!.body.tools.map((tool: Any) => tool.type)).not.toContain('web_search');
  });

  it('unset: runs what the gateway has (file_search), passes the rest (image_generation, web_search)', async () => {
    mock.reset();
    mock.enqueue({ kind: 'response', hostedCalls: [IMAGE_CALL], text: 'Here it is.' });
    const response: Any = await unset.client.responses.create({
      model: 'openai/gpt-x',
      input: 'Draw a red pixel.',
      tools: [{ type: 'image_generation', quality: 'low' }, { type: 'web_search' }],
      // OpenAI's tool_choice names web_search by its preview type.
      tool_choice: { type: 'web_search_preview' },
    } as Any);
    expect(response.output[0]).toEqual({
      ...IMAGE_CALL,
      id: expect.stringMatching(/^ig_[0-9a-f]{48}$/),
      status: 'completed',
    });
    const sent: Any = mock.requests[0]!.body;
    expect(sent.tools).toEqual([{ type: 'image_generation', quality: 'low' }, { type: 'web_search' }]);
    expect(sent.tool_choice).toEqual({ type: 'web_search_preview' });
    // file_search is the gateway's (its vector stores): an unknown store is the client's 400.
    const refused = await unset.post('/v1/responses', {
      model: 'openai/gpt-x',
      input: 'x',
      tools: [{ type: 'file_search', vector_store_ids: ['vs_upstream_only'] }],
    });
    expect(refused.status).toBe(404);
    expect(refused.body.error.param).toMatch(/^tools\[0\]/);
  });

  it("refuses `upstream` on a provider that does not run OpenAI's built-in tools", () => {
    const parsed = configSchema.safeParse({
      providers: [{ name: 'c', type: 'openai-chat', builtInTools: { web_search: 'upstream' } }],
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain("only an 'openai-responses' provider");
    expect(
      configSchema.safeParse({
        providers: [{ name: 'c', type: 'openai-chat', builtInTools: { web_search: 'local' } }],
      }).success,
    ).toBe(true);
  });
});
