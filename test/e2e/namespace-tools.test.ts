/**
 * `namespace` tools (sent by Codex CLI): their function/custom tools reach the upstream flattened,
 * under their own name unless another tool has it (then `<namespace>__<name>`); calls come back as
 * items with `namespace` and the inner name, and replayed calls go upstream under the flat name.
 */
import type OpenAI from 'openai';
import type { ResponseStreamEvent, Tool } from 'openai/resources/responses/responses';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import { upstreamMessages } from './state-helpers.js';
import type { Any } from './stream-helpers.js';

let client: OpenAI;

const harness = useHarness({ kind: 'text', text: 'Done.' });
beforeAll(() => {
  client = sdkClient(harness);
});

const params = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
const TOOLS: Tool[] = [
  { type: 'function', name: 'search', parameters: params, strict: false },
  {
    type: 'namespace',
    name: 'crm',
    description: 'Customer records.',
    tools: [
      { type: 'function', name: 'lookup', description: 'Find a customer.', parameters: params },
      { type: 'function', name: 'search', description: 'Search customers.', parameters: params },
      { type: 'custom', name: 'note', description: 'Free-form note.' },
    ],
  },
];

const toolNames = (body: Any): string[] =>
  body.tools.map((tool: Any) => tool.function?.name ?? tool.custom?.name);

describe('namespace tools', () => {
  it('flattens them for the upstream, renaming only on a clash', async () => {
    await client.responses.create({ model: 'gpt-ns', input: 'Hi', tools: TOOLS });
    const body = harness.mock.requests[0]!.body;
    expect(toolNames(body)).toEqual(['search', 'lookup', 'crm__search', 'note']);
    expect(body.tools[1]).toMatchObject({
      type: 'function',
      function: { name: 'lookup', description: 'Find a customer.', parameters: params },
    });
    expect(body.tools[3]).toMatchObject({ type: 'custom' });
  });

  it('reports calls with namespace and inner name, streamed and stored alike', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [
        { id: 'call_a', name: 'lookup', arguments: '{"q":"Ada"}' },
        { id: 'call_b', name: 'crm__search', arguments: '{"q":"B"}' },
        { id: 'call_c', name: 'search', arguments: '{"q":"C"}' },
      ],
    });
    const stream = await client.responses.create({
      model: 'gpt-ns',
      input: 'Hi',
      tools: TOOLS,
      stream: true,
    });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const added = events.flatMap((e) => (e.type === 'response.output_item.added' ? [e.item] : []));
    expect(added.map((item: Any) => [item.namespace, item.name])).toEqual([
      ['crm', 'lookup'],
      ['crm', 'search'],
      [undefined, 'search'],
    ]);
    const done = events.at(-1);
    if (done?.type !== 'response.completed') throw new Error('not completed');
    expect(done.response.output.map((item: Any) => [item.namespace, item.name])).toEqual([
      ['crm', 'lookup'],
      ['crm', 'search'],
      [undefined, 'search'],
    ]);
    const stored = await client.responses.retrieve(done.response.id);
    expect(stored.output).toEqual(done.response.output);

    // Continuing the chain replays the calls under their upstream names.
    await client.responses.create({
      model: 'gpt-ns',
      previous_response_id: done.response.id,
      tools: TOOLS,
      input: ['call_a', 'call_b', 'call_c'].map((call_id) => ({
        type: 'function_call_output' as const,
        call_id,
        output: 'ok',
      })),
    });
    const assistant = upstreamMessages(harness).find((m) => m.role === 'assistant');
    expect(assistant.tool_calls.map((call: Any) => call.function.name)).toEqual([
      'lookup',
      'crm__search',
      'search',
    ]);
  });

  it('maps replayed input calls that carry a namespace (stateless clients)', async () => {
    await client.responses.create({
      model: 'gpt-ns',
      store: false,
      tools: TOOLS,
      input: [
        { role: 'user', content: 'Hi' },
        {
          type: 'function_call',
          call_id: 'call_x',
          name: 'search',
          namespace: 'crm',
          arguments: '{"q":"x"}',
        },
        { type: 'function_call_output', call_id: 'call_x', output: 'none' },
      ],
    });
    const assistant = upstreamMessages(harness).find((m) => m.role === 'assistant');
    expect(assistant.tool_calls[0].function.name).toBe('crm__search');
  });
});
