/**
 * Remote MCP end to end, through the openai SDK against the Chat Completions mock and a real MCP
 * server on 127.0.0.1 (test/tools/mcp/mcp-test-server.ts): listing, calls that succeed, fail and
 * hang, allowed_tools, listing reuse along previous_response_id, the approval flow (approve and
 * deny, streaming and not), and the SSRF guard.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { startProviderGateway } from '../providers/provider-gateway.js';
import { type McpTestServer, startMcpTestServer } from '../tools/mcp/mcp-test-server.js';
import { type Any, checkStream } from './stream-helpers.js';

let server: McpTestServer;
const harness = useHarness(
  { kind: 'text', text: 'Done.' },
  {
    env: { RGW_OUTBOUND_ALLOW: '127.0.0.1' },
    config: { tools: { webSearchWhenUnavailable: 'drop', callTimeoutMs: 1500 } },
  },
);
let client: OpenAI;
beforeAll(async () => {
  server = await startMcpTestServer();
  client = sdkClient(harness);
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const usage = { prompt_tokens: 10, completion_tokens: 5 };
const call = (id: string, name: string, args: Record<string, unknown> = {}): MockReply => ({
  kind: 'text',
  text: '',
  toolCalls: [{ id, name, arguments: JSON.stringify(args) }],
  finishReason: 'tool_calls',
  usage,
});
const answer = (text: string): MockReply => ({ kind: 'text', text, usage });
const mcp = (extra: Record<string, unknown> = {}) => ({
  type: 'mcp',
  server_label: 'notes',
  server_url: server.url,
  require_approval: 'never',
  ...extra,
});
const create = (body: Record<string, unknown>) =>
  client.responses.create({
    model: 'gpt-mcp',
    input: 'What is 2 + 3?',
    tools: [mcp()],
    ...body,
  } as never) as Promise<Any>;
const sentTools = (n: number): string[] =>
  (harness.mock.requests[n]!.body.tools ?? []).map((tool: Any) => tool.function.name);
const sentMessages = (n: number): Any[] => harness.mock.requests[n]!.body.messages;

describe('remote MCP', () => {
  it('lists the server tools, calls one and answers with its output', async () => {
    harness.mock.enqueue(call('c1', 'notes__add', { a: 2, b: 3 }), answer('It is 5.'));
    const response = await create({});
    expect(response.status).toBe('completed');
    expect(response.output.map((item: Any) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    const [listing, mcpCall] = response.output;
    expect(listing).toMatchObject({ type: 'mcp_list_tools', server_label: 'notes', error: null });
    expect(listing.id).toMatch(/^mcpl_[0-9a-f]{48}$/);
    expect(listing).not.toHaveProperty('status');
    expect(listing.tools.map((tool: Any) => tool.name)).toEqual([
      'add',
      'read_notes',
      'fail',
      'explode',
      'hang',
    ]);
    expect(listing.tools[0]).toMatchObject({ name: 'add', description: 'Adds two numbers.' });
    expect(listing.tools[0].input_schema).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' } },
    });
    expect(listing.tools[1].annotations).toMatchObject({ readOnlyHint: true });
    expect(mcpCall).toEqual({
      id: expect.stringMatching(/^mcp_[0-9a-f]{48}$/),
      type: 'mcp_call',
      server_label: 'notes',
      name: 'add',
      arguments: '{"a":2,"b":3}',
      approval_request_id: null,
      output: '5',
      error: null,
      status: 'completed',
    });
    expect(response.output_text).toBe('It is 5.');
    expect(server.calls).toEqual([{ name: 'add', args: { a: 2, b: 3 } }]);
    // One session served the listing and the call.
    expect(server.sessions.streamable).toBe(1);
    expect(sentTools(0)).toEqual([
      'notes__add',
      'notes__read_notes',
      'notes__fail',
      'notes__explode',
      'notes__hang',
    ]);
    expect(sentMessages(1).at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'c1', content: '5' });
    const stored: Any = await client.responses.retrieve(response.id);
    expect(stored.output).toEqual(response.output);
  });

  it('streams the listing and the call with their events', async () => {
    harness.mock.enqueue(call('c1', 'notes__add', { a: 1, b: 1 }), answer('Two.'));
    const result = await harness.stream({ model: 'gpt-mcp', input: 'Sum?', tools: [mcp()], stream: true });
    checkStream(result);
    const types = result.types.filter(
      (type) => type.includes('mcp') || type.startsWith('response.output_item'),
    );
    expect(types).toEqual([
      'response.output_item.added',
      'response.mcp_list_tools.in_progress',
      'response.mcp_list_tools.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.mcp_call.in_progress',
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
    ]);
    const done = result.data.find((event) => event.type === 'response.mcp_call_arguments.done');
    expect(done).toMatchObject({ output_index: 1, arguments: '{"a":1,"b":1}' });
    expect(result.data.at(-1).response.output[1]).toMatchObject({ type: 'mcp_call', output: '2' });
  });

  it('maps tool_choice {type: "mcp"} onto the server tools', async () => {
    harness.mock.enqueue(answer('A.'), answer('B.'));
    await create({ tool_choice: { type: 'mcp', server_label: 'notes', name: 'add' } });
    expect(harness.mock.requests[0]!.body.tool_choice).toEqual({
      type: 'function',
      function: { name: 'notes__add' },
    });
    await create({ tool_choice: { type: 'mcp', server_label: 'notes' } });
    expect(harness.mock.requests[1]!.body.tool_choice).toMatchObject({
      type: 'allowed_tools',
      allowed_tools: { mode: 'required' },
    });
    expect(harness.mock.requests[1]!.body.tool_choice.allowed_tools.tools).toHaveLength(5);
    await expect(create({ tool_choice: { type: 'mcp', server_label: 'other' } })).rejects.toMatchObject({
      status: 400,
      param: 'tool_choice',
    });
  });

  it('runs in background mode and replays its stored events', async () => {
    harness.mock.enqueue(call('c1', 'notes__add', { a: 3, b: 3 }), answer('Six.'));
    let response = await create({ background: true, store: true });
    while (response.status === 'queued' || response.status === 'in_progress') {
      await new Promise((resolve) => setTimeout(resolve, 25));
      response = (await client.responses.retrieve(response.id)) as Any;
    }
    expect(response.status).toBe('completed');
    expect(response.output.map((item: Any) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    const replay = await harness.get(`/v1/responses/${response.id}?stream=true`);
    expect(String(replay.body)).toContain('response.mcp_call.completed');
  });

  it('passes headers and authorization to the server', async () => {
    harness.mock.enqueue(answer('Hi.'));
    await create({ tools: [mcp({ authorization: 'tok-1' })] });
    expect(server.authorizations).toEqual(['Bearer tok-1']);
  });

  it('offers only allowed_tools, by name or by read_only', async () => {
    harness.mock.enqueue(answer('A.'), answer('B.'));
    const byName = await create({ tools: [mcp({ allowed_tools: ['add'] })] });
    expect(byName.output[0].tools.map((tool: Any) => tool.name)).toEqual(['add']);
    expect(sentTools(0)).toEqual(['notes__add']);
    const readOnly = await create({ tools: [mcp({ allowed_tools: { read_only: true } })] });
    expect(readOnly.output[0].tools.map((tool: Any) => tool.name)).toEqual(['read_notes']);
  });

  it('reuses the listing along previous_response_id instead of listing again', async () => {
    harness.mock.enqueue(answer('First.'), call('c2', 'notes__add', { a: 4, b: 4 }), answer('Eight.'));
    const first = await create({});
    expect(server.sessions.streamable).toBe(1);
    const second = await create({ previous_response_id: first.id, input: 'And 4 + 4?' });
    expect(second.output.map((item: Any) => item.type)).toEqual(['mcp_call', 'message']);
    expect(sentTools(1)).toContain('notes__add');
    // Listing reused: the second session served only the call.
    expect(server.calls).toEqual([{ name: 'add', args: { a: 4, b: 4 } }]);
    // The earlier listing is not told to the model as a call.
    expect(sentMessages(1).filter((message: Any) => message.role === 'tool')).toEqual([]);
  });

  it('makes failing, throwing and hanging tools failed calls the model is told about', async () => {
    harness.mock.enqueue(
      call('c1', 'notes__fail'),
      call('c2', 'notes__explode'),
      call('c3', 'notes__hang'),
      answer('None of that worked.'),
    );
    const response = await create({});
    expect(response.status).toBe('completed');
    const calls = response.output.filter((item: Any) => item.type === 'mcp_call');
    expect(calls.map((item: Any) => [item.name, item.status, item.output])).toEqual([
      ['fail', 'failed', null],
      ['explode', 'failed', null],
      ['hang', 'failed', null],
    ]);
    expect(calls[0].error).toBe('The notes are locked.');
    expect(calls[1].error).toContain('kaboom');
    expect(calls[2].error).toMatch(/time|timed out/i);
    expect(sentMessages(1).at(-1).content).toContain('The notes are locked.');
    expect(response.output_text).toBe('None of that worked.');
  });

  it('falls back to the SSE transport', async () => {
    harness.mock.enqueue(call('c1', 'notes__add', { a: 2, b: 2 }), answer('Four.'));
    const response = await create({ tools: [mcp({ server_url: server.sseUrl })] });
    expect(response.output[1]).toMatchObject({ type: 'mcp_call', status: 'completed', output: '4' });
    expect(server.sessions).toEqual({ streamable: 0, sse: 1 });
  });

  it('reports a server that refuses as a failed listing and goes on', async () => {
    harness.mock.enqueue(answer('No tools today.'));
    const response = await create({ tools: [mcp({ server_url: 'http://127.0.0.1:1/mcp' })] });
    expect(response.status).toBe('completed');
    expect(response.output[0]).toMatchObject({ type: 'mcp_list_tools', tools: [] });
    expect(response.output[0].error).toMatch(/notes/);
    expect(harness.mock.requests[0]!.body.tools).toBeUndefined();
  });

  it('refuses connector_id with a 400 naming it', async () => {
    await expect(
      create({ tools: [{ type: 'mcp', server_label: 'drive', connector_id: 'connector_googledrive' }] }),
    ).rejects.toMatchObject({ status: 400, param: 'tools[0].connector_id' });
    await expect(create({ tools: [{ type: 'mcp', server_label: 'x' }] })).rejects.toMatchObject({
      status: 400,
      param: 'tools[0].server_url',
    });
  });
});

describe('MCP approvals', () => {
  const approvalTools = () => [mcp({ require_approval: undefined })];

  it('asks first, runs the call once approved, and tells the model', async () => {
    harness.mock.enqueue(call('c1', 'notes__add', { a: 2, b: 3 }), answer('It is 5.'));
    const first = await create({ tools: approvalTools() });
    expect(first.status).toBe('completed');
    expect(first.output.map((item: Any) => item.type)).toEqual(['mcp_list_tools', 'mcp_approval_request']);
    const request = first.output[1];
    expect(request).toEqual({
      id: expect.stringMatching(/^mcpr_[0-9a-f]{48}$/),
      type: 'mcp_approval_request',
      arguments: '{"a":2,"b":3}',
      name: 'add',
      server_label: 'notes',
    });
    expect(server.calls).toEqual([]);
    const second = await create({
      tools: approvalTools(),
      previous_response_id: first.id,
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
    });
    expect(second.output.map((item: Any) => item.type)).toEqual(['mcp_call', 'message']);
    expect(second.output[0]).toMatchObject({
      approval_request_id: request.id,
      output: '5',
      status: 'completed',
    });
    expect(server.calls).toEqual([{ name: 'add', args: { a: 2, b: 3 } }]);
    expect(sentMessages(1).at(-1)).toMatchObject({ role: 'tool', content: '5' });
    expect(second.output_text).toBe('It is 5.');
  });

  it('streams the request and the approved call', async () => {
    harness.mock.enqueue(call('c1', 'notes__add', { a: 1, b: 2 }), answer('Three.'));
    const first = await harness.stream({
      model: 'gpt-mcp',
      input: 'Sum?',
      tools: approvalTools(),
      stream: true,
    });
    checkStream(first);
    const end = first.data.at(-1);
    expect(end.type).toBe('response.completed');
    const request = end.response.output[1];
    expect(request.type).toBe('mcp_approval_request');
    const added = first.data.filter((event) => event.type === 'response.output_item.added').at(-1);
    expect(added.item).toMatchObject({ type: 'mcp_approval_request', name: 'add' });
    const stream = await client.responses.create({
      model: 'gpt-mcp',
      tools: approvalTools(),
      previous_response_id: end.response.id,
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
      stream: true,
    } as never);
    const types: string[] = [];
    let final: Any;
    for await (const event of stream as unknown as AsyncIterable<Any>) {
      types.push(event.type);
      if (event.type === 'response.completed') final = event.response;
    }
    expect(types.filter((type) => type.startsWith('response.mcp_call'))).toEqual([
      'response.mcp_call.in_progress',
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.completed',
    ]);
    expect(final.output[0]).toMatchObject({ type: 'mcp_call', output: '3', approval_request_id: request.id });
    expect(server.calls).toHaveLength(1);
  });

  it('never runs a denied call and tells the model why', async () => {
    harness.mock.enqueue(call('c1', 'notes__add', { a: 2, b: 3 }), answer('Understood, I will not.'));
    const first = await create({ tools: approvalTools() });
    const request = first.output[1];
    const second = await create({
      tools: approvalTools(),
      previous_response_id: first.id,
      input: [
        {
          type: 'mcp_approval_response',
          approval_request_id: request.id,
          approve: false,
          reason: 'not today',
        },
      ],
    });
    expect(second.output.map((item: Any) => item.type)).toEqual(['message']);
    expect(server.calls).toEqual([]);
    const told = sentMessages(1).at(-1);
    expect(told.role).toBe('tool');
    expect(told.content).toContain('not today');
  });

  it('asks only for the tools require_approval names', async () => {
    harness.mock.enqueue(call('c1', 'notes__read_notes'), answer('Milk.'));
    const response = await create({
      tools: [mcp({ require_approval: { never: { tool_names: ['read_notes'] } } })],
    });
    expect(response.output.map((item: Any) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    harness.mock.enqueue(call('c2', 'notes__add', { a: 1, b: 1 }));
    const asked = await create({
      tools: [mcp({ require_approval: { never: { tool_names: ['read_notes'] } } })],
    });
    expect(asked.output.at(-1).type).toBe('mcp_approval_request');
  });

  it('reuses the listing and takes the approval in a conversation', async () => {
    const conversation = await client.conversations.create({});
    harness.mock.enqueue(call('c1', 'notes__add', { a: 6, b: 1 }), answer('Seven.'));
    const first = await create({ tools: approvalTools(), conversation: conversation.id });
    const request = first.output.at(-1);
    expect(request.type).toBe('mcp_approval_request');
    const second = await create({
      tools: approvalTools(),
      conversation: conversation.id,
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
    });
    expect(second.output.map((item: Any) => item.type)).toEqual(['mcp_call', 'message']);
    expect(server.calls).toEqual([{ name: 'add', args: { a: 6, b: 1 } }]);
    // One listing for both turns; the second session served only the call.
    expect(server.sessions.streamable).toBe(2);
  });

  it('refuses an answer to an approval request that does not exist', async () => {
    await expect(
      create({ input: [{ type: 'mcp_approval_response', approval_request_id: 'mcpr_nope', approve: true }] }),
    ).rejects.toMatchObject({ status: 400, param: 'input[0].approval_request_id' });
  });
});

describe('MCP and the SSRF guard', () => {
  it('refuses a loopback server unless RGW_OUTBOUND_ALLOW lets it through', async () => {
    const gw = await startProviderGateway({
      OPENAI_BASE_URL: `${harness.mock.baseUrl}`,
      OPENAI_API_KEY: 'k',
    });
    try {
      harness.mock.enqueue(answer('No tools.'));
      const response: Any = await gw.client.responses.create({
        model: 'gpt-mcp',
        input: 'Hi',
        tools: [mcp()],
      } as never);
      expect(response.status).toBe('completed');
      expect(response.output[0].type).toBe('mcp_list_tools');
      expect(response.output[0].error).toMatch(/refused|not allowed|loopback|private/i);
      expect(server.sessions.streamable).toBe(0);
    } finally {
      await gw.close();
    }
  });
});
