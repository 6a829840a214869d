/**
 * The hosted `shell` tool end to end, through the openai SDK against the Chat Completions mock whose
 * scripted turns call it: commands run in the same sandboxed containers as code_interpreter; the
 * call and its output are two items (`shell_call`, `shell_call_output`), streamed as added/done
 * pairs, stored, and replayed to the model on a previous_response_id chain. A `shell` entry
 * without a container environment stays the client's.
 */
import type OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { TEST_CODE_SANDBOX } from '../tools/code-interpreter/sandbox-helpers.js';
import type { Any } from './stream-helpers.js';

const harness = useHarness(
  { kind: 'text', text: 'Done.' },
  { config: { codeSandbox: { ...TEST_CODE_SANDBOX, callTimeoutMs: 4_000, warmKernels: 1 } } },
);
let client: OpenAI;
beforeAll(() => {
  client = sdkClient(harness);
});

const usage = { prompt_tokens: 10, completion_tokens: 5 };
const shell = (id: string, commands: string[], extra: Record<string, unknown> = {}): MockReply => ({
  kind: 'text',
  text: '',
  toolCalls: [
    {
      id,
      name: 'shell',
      arguments: JSON.stringify({ commands, timeout_ms: null, max_output_length: null, ...extra }),
    },
  ],
  finishReason: 'tool_calls',
  usage,
});
const answer = (text: string): MockReply => ({ kind: 'text', text, usage });
const AUTO = { type: 'shell', environment: { type: 'container_auto' } } as const;
const create = (body: Record<string, unknown>) =>
  client.responses.create({
    model: 'gpt-code',
    input: 'Run it.',
    tools: [AUTO],
    ...body,
  } as never) as Promise<Any>;
const lastRequest = () => harness.mock.requests.at(-1)!.body;

describe('hosted shell', () => {
  it('runs the commands in a container and shows the call and its output as two items', async () => {
    harness.mock.enqueue(shell('s1', ['echo hello', 'echo oops >&2; exit 3']), answer('Ran both.'));
    const response = await create({});
    expect(response.status).toBe('completed');
    const [call, output, message] = response.output;
    expect(call).toMatchObject({
      type: 'shell_call',
      status: 'completed',
      call_id: 's1',
      action: {
        commands: ['echo hello', 'echo oops >&2; exit 3'],
        timeout_ms: null,
        max_output_length: null,
      },
      environment: { type: 'container_reference' },
    });
    expect(call.id).toMatch(/^sh_/);
    expect(call.environment.container_id).toMatch(/^cntr_/);
    expect(output).toEqual({
      id: expect.stringMatching(/^sho_/),
      type: 'shell_call_output',
      call_id: 's1',
      status: 'completed',
      max_output_length: null,
      output: [
        { stdout: 'hello\n', stderr: '', outcome: { type: 'exit', exit_code: 0 } },
        { stdout: '', stderr: 'oops\n', outcome: { type: 'exit', exit_code: 3 } },
      ],
    });
    expect(message.content[0].text).toBe('Ran both.');
    // The model was told both results, as the function it called.
    const told = lastRequest().messages.filter((m: Any) => m.role === 'tool');
    expect(told).toHaveLength(1);
    expect(told[0].tool_call_id).toBe('s1');
    expect(JSON.parse(told[0].content).output).toEqual(output.output);
    expect(response.usage.input_tokens).toBe(20);
    const stored = (await client.responses.retrieve(response.id)) as Any;
    expect(stored.output).toEqual(response.output);
  });

  it('streams each item as an added/done pair with nothing between, in order', async () => {
    harness.mock.enqueue(shell('s2', ['printf 42']), answer('42.'));
    const result = await harness.stream({ model: 'gpt-code', input: 'Q', tools: [AUTO] });
    expect(result.data.map((e) => e.sequence_number)).toEqual(result.data.map((_, i) => i));
    const items = result.data.filter((e) => e.type.startsWith('response.output_item.'));
    expect(
      items.map((e) => `${e.type.slice('response.output_item.'.length)} ${e.item.type} ${e.output_index}`),
    ).toEqual([
      'added shell_call 0',
      'done shell_call 0',
      'added shell_call_output 1',
      'done shell_call_output 1',
      'added message 2',
      'done message 2',
    ]);
    expect(items[0]!.item.status).toBe('in_progress');
    expect(items[2]!.item).toMatchObject({ status: 'in_progress', output: [{ stdout: '42' }] });
    expect(result.types.filter((t) => t.includes('shell'))).toEqual([]);
    const completed = result.data.at(-1)!;
    expect(completed.type).toBe('response.completed');
    expect(completed.response.output[1].output[0].stdout).toBe('42');
  });

  it('shares files with code_interpreter and keeps its container along a previous_response_id chain', async () => {
    harness.mock.enqueue(shell('s3', ['echo 6 > /mnt/data/n.txt']), answer('Wrote it.'));
    const first = await create({});
    const container = first.output[0].environment.container_id;
    harness.mock.enqueue(
      {
        kind: 'text',
        text: '',
        toolCalls: [
          {
            id: 'c3',
            name: 'code_interpreter',
            arguments: JSON.stringify({ code: 'print(int(open("/mnt/data/n.txt").read()) * 7)' }),
          },
        ],
        finishReason: 'tool_calls',
        usage,
      },
      answer('42.'),
    );
    const second = await create({
      previous_response_id: first.id,
      input: 'Multiply it.',
      tools: [{ type: 'code_interpreter', container }, AUTO],
    });
    expect(second.output[0]).toMatchObject({ type: 'code_interpreter_call', container_id: container });
    // The earlier turn replays as the model's call and one answer: its output item.
    const messages = lastRequest().messages;
    const calls = messages.filter((m: Any) => m.role === 'assistant' && m.tool_calls);
    expect(calls[0].tool_calls[0]).toMatchObject({ id: 's3', function: { name: 'shell' } });
    const answers = messages.filter((m: Any) => m.role === 'tool' && m.tool_call_id === 's3');
    expect(answers).toHaveLength(1);
    expect(JSON.parse(answers[0].content).output[0].outcome).toEqual({ type: 'exit', exit_code: 0 });
    expect(messages.filter((m: Any) => m.role === 'tool').at(-1).content).toBe('42\n');
  });

  it('reports a command past its timeout_ms with a timeout outcome, the earlier output kept', async () => {
    harness.mock.enqueue(shell('s4', ['echo before', 'sleep 5'], { timeout_ms: 300 }), answer('Too slow.'));
    const response = await create({});
    // The call ran as asked: the timeout is the command's outcome, not the call's failure.
    expect(response.output[0].status).toBe('completed');
    expect(response.output[1]).toMatchObject({
      status: 'completed',
      output: [
        { stdout: 'before\n', outcome: { type: 'exit', exit_code: 0 } },
        { outcome: { type: 'timeout' } },
      ],
    });
  });

  it('clips each output to max_output_length', async () => {
    harness.mock.enqueue(shell('s5', ['seq 1000'], { max_output_length: 10 }), answer('Long.'));
    const response = await create({});
    expect(response.output[1]).toMatchObject({
      max_output_length: 10,
      output: [{ stdout: '1\n2\n3\n4\n5\n' }],
    });
  });

  it('refuses an unknown container before any upstream call; a local shell stays the client’s', async () => {
    const before = harness.mock.requests.length;
    await expect(
      create({
        tools: [{ type: 'shell', environment: { type: 'container_reference', container_id: 'cntr_nope' } }],
      }),
    ).rejects.toMatchObject({ status: 404, param: 'tools[0].environment.container_id' });
    expect(harness.mock.requests.length).toBe(before);
    harness.mock.enqueue(shell('s6', ['ls']));
    const local = await create({ tools: [{ type: 'shell', environment: { type: 'local' } }] });
    expect(local.output).toHaveLength(1);
    expect(local.output[0]).toMatchObject({
      type: 'shell_call',
      call_id: 's6',
      environment: { type: 'local' },
    });
  });
});
