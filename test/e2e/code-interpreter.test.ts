/**
 * code_interpreter end to end, through the openai SDK against the Chat Completions mock whose
 * scripted turns call the tool: real Python in bubblewrap (`.ci/run` installs it). A computed
 * number, a pandas summary of an uploaded CSV, a matplotlib PNG as a container file; streaming,
 * stored, state across a previous_response_id chain, errors as results, timeouts, cancel.
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient, startTestGateway } from '../helpers/test-gateway.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { TEST_CODE_SANDBOX } from '../tools/code-interpreter/sandbox-helpers.js';
import type { Any } from './stream-helpers.js';

const harness = useHarness(
  { kind: 'text', text: 'Done.' },
  {
    config: {
      codeSandbox: { ...TEST_CODE_SANDBOX, callTimeoutMs: 4_000, warmKernels: 1 },
      background: { workers: 2, cancelPollMs: 20 },
    },
  },
);
let client: OpenAI;
beforeAll(() => {
  client = sdkClient(harness);
});

const usage = { prompt_tokens: 10, completion_tokens: 5 };
const run = (id: string, code: string): MockReply => ({
  kind: 'text',
  text: '',
  toolCalls: [{ id, name: 'code_interpreter', arguments: JSON.stringify({ code }) }],
  finishReason: 'tool_calls',
  usage,
});
const answer = (text: string): MockReply => ({ kind: 'text', text, usage });
const AUTO = { type: 'code_interpreter', container: { type: 'auto' } } as const;
const create = (body: Record<string, unknown>) =>
  client.responses.create({
    model: 'gpt-code',
    input: 'Compute it.',
    tools: [AUTO],
    ...body,
  } as never) as Promise<Any>;
/** What the model was last told by a tool, in request `n` (0-based). */
const toldInRequest = (n: number): string =>
  harness.mock.requests[n]!.body.messages.filter((m: Any) => m.role === 'tool').at(-1).content;

describe('code_interpreter', () => {
  it('answers with a number computed in Python', async () => {
    harness.mock.enqueue(run('c1', 'sum(i * i for i in range(10))'), answer('It is 285.'));
    const response = await create({ include: ['code_interpreter_call.outputs'] });
    expect(response.status).toBe('completed');
    const call = response.output[0];
    expect(call).toMatchObject({
      type: 'code_interpreter_call',
      status: 'completed',
      code: 'sum(i * i for i in range(10))',
      outputs: [{ type: 'logs', logs: '285\n' }],
    });
    expect(call.id).toMatch(/^ci_/);
    expect(call.container_id).toMatch(/^cntr_/);
    expect(toldInRequest(1)).toBe('285\n');
    expect(response.output_text).toBe('It is 285.');
    const stored = (await client.responses.retrieve(response.id)) as Any;
    expect(stored.output[0]).toMatchObject({ outputs: [{ type: 'logs', logs: '285\n' }] });
    const container = await client.containers.retrieve(call.container_id);
    expect(container.status).toBe('running');
  });

  it('leaves outputs out unless included', async () => {
    harness.mock.enqueue(run('c2', 'print("hi")'), answer('Said hi.'));
    const response = await create({});
    expect(response.output[0]).toMatchObject({ status: 'completed', outputs: null });
    expect(toldInRequest(1)).toBe('hi\n');
  });

  it('summarises an uploaded CSV with pandas', async () => {
    const container = await client.containers.create({ name: 'sales' });
    await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('region,amount\nnorth,10\nsouth,32\nnorth,5\n'), 'sales.csv'),
    });
    const code =
      'import pandas as pd\ndf = pd.read_csv("/mnt/data/sales.csv")\nprint(df.groupby("region")["amount"].sum().to_dict())';
    harness.mock.enqueue(run('c3', code), answer('North 15, south 32.'));
    const response = await create({ tools: [{ type: 'code_interpreter', container: container.id }] });
    expect(response.output[0]).toMatchObject({ status: 'completed', container_id: container.id });
    expect(toldInRequest(1)).toContain("{'north': 15, 'south': 32}");
  });

  it('returns a matplotlib PNG as a container file and an image output', async () => {
    const code =
      'import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])\nplt.title("squares")\nplt.savefig("/mnt/data/squares.png")\nplt.close()';
    harness.mock.enqueue(run('c4', code), answer('Here is the plot 【1】.'));
    const response = await create({ include: ['code_interpreter_call.outputs'] });
    const call = response.output[0];
    expect(call.status).toBe('completed');
    const image = call.outputs.find((o: Any) => o.type === 'image');
    expect(image.url).toMatch(/^data:image\/png;base64,iVBOR/);
    const files = await client.containers.files.list(call.container_id);
    const png = files.data.find((f) => f.path === '/mnt/data/squares.png')!;
    expect(png).toMatchObject({ source: 'assistant' });
    expect(toldInRequest(1)).toContain(`/mnt/data/squares.png (file_id ${png.id}, cite as 【1】)`);
    // The answer cites the file: a link to it, spanned by a container_file_citation.
    const link = '[squares.png](sandbox:/mnt/data/squares.png)';
    expect(response.output_text).toBe(`Here is the plot (${link}).`);
    const annotation = response.output[1].content[0].annotations[0];
    expect(annotation).toEqual({
      type: 'container_file_citation',
      container_id: call.container_id,
      file_id: png.id,
      filename: 'squares.png',
      start_index: 'Here is the plot ('.length,
      end_index: 'Here is the plot ('.length + link.length,
    });
    expect(response.output_text.slice(annotation.start_index, annotation.end_index)).toBe(link);
    const content = await client.containers.files.content.retrieve(png.id, {
      container_id: call.container_id,
    });
    expect(content.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await content.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.length).toBe(png.bytes);
  });

  it('keeps variables across a previous_response_id chain', async () => {
    harness.mock.enqueue(run('c5', 'secret = 6 * 7'), answer('Stored.'));
    const first = await create({});
    harness.mock.enqueue(run('c6', 'secret'), answer('42.'));
    const second = await create({ previous_response_id: first.id, input: 'What was it?' });
    expect(second.output[0].container_id).toBe(first.output[0].container_id);
    expect(toldInRequest(harness.mock.requests.length - 1)).toBe('42\n');
  });

  it('returns an exception as a completed call with its traceback', async () => {
    harness.mock.enqueue(run('c7', 'values = []\nvalues[3]'), answer('That failed.'));
    const response = await create({ include: ['code_interpreter_call.outputs'] });
    expect(response.output[0].status).toBe('completed');
    expect(response.output[0].outputs[0].logs).toContain('IndexError: list index out of range');
    expect(toldInRequest(1)).toContain('IndexError');
  });

  it('marks a call past its time incomplete and tells the model', async () => {
    harness.mock.enqueue(run('c8', 'import time\ntime.sleep(60)'), answer('Too slow.'));
    const response = await create({});
    expect(response.status).toBe('completed');
    expect(response.output[0].status).toBe('incomplete');
    expect(toldInRequest(1)).toMatch(/timed out after 4 s/);
  });

  it('streams the call with its events, in order', async () => {
    harness.mock.enqueue(run('c9', 'print(2 + 2)'), answer('Four.'));
    const result = await harness.stream({ model: 'gpt-code', input: 'Q', tools: [AUTO] });
    expect(result.data.map((e) => e.sequence_number)).toEqual(result.data.map((_, i) => i));
    const own = result.types.filter((t) => t.includes('code_interpreter'));
    expect(own).toEqual([
      'response.code_interpreter_call.in_progress',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.completed',
    ]);
    const done = result.data.find((e) => e.type === 'response.code_interpreter_call_code.done')!;
    expect(done.code).toBe('print(2 + 2)');
    expect(result.types.at(-1)).toBe('response.completed');
  });

  it('refuses an unknown, foreign or expired container before any upstream call', async () => {
    await expect(
      create({ tools: [{ type: 'code_interpreter', container: 'cntr_unknown' }] }),
    ).rejects.toMatchObject({ status: 404, param: 'tools[0].container', code: 'container_not_found' });
    const old = await client.containers.create({ name: 'old' });
    await harness.gateway.store.containers.expire('default', old.id);
    await expect(create({ tools: [{ type: 'code_interpreter', container: old.id }] })).rejects.toMatchObject({
      status: 400,
      code: 'container_expired',
    });
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('cancels a background response mid-run; the kernel is interrupted and keeps its state', async () => {
    const container = await client.containers.create({ name: 'cancel' });
    const tools = [{ type: 'code_interpreter', container: container.id }];
    harness.mock.enqueue(run('c10', 'kept = "yes"'), answer('Set.'));
    await create({ tools });
    harness.mock.enqueue(run('c11', 'import time\ntime.sleep(30)'));
    const started = await create({ tools, background: true });
    // Resumed from the start: the stored event log, then live events.
    const events = await client.responses.retrieve(started.id, { stream: true, starting_after: 0 } as never);
    const seen: string[] = [];
    let began = 0;
    for await (const event of events as unknown as AsyncIterable<Any>) {
      seen.push(event.type);
      if (event.type === 'response.code_interpreter_call.interpreting') {
        began = Date.now();
        await client.responses.cancel(started.id);
      }
    }
    expect(seen).toContain('response.code_interpreter_call_code.done');
    const cancelled = await waitForStatus(started.id);
    expect(cancelled.status).toBe('cancelled');
    expect(Date.now() - began).toBeLessThan(3_000);
    harness.mock.enqueue(run('c12', 'kept'), answer('Still yes.'));
    await create({ tools });
    expect(toldInRequest(harness.mock.requests.length - 1)).toBe("'yes'\n");
  });
});

describe('code_interpreter without a sandbox', () => {
  it('answers 400 code_interpreter_unavailable saying what to install', async () => {
    const gw = await startTestGateway({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', RGW_CODE_SANDBOX: 'off' });
    try {
      const answer = await gw.post('/v1/responses', { model: 'm', input: 'x', tools: [AUTO] });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        error: { type: 'invalid_request_error', code: 'code_interpreter_unavailable', param: 'tools[0]' },
      });
      expect(JSON.stringify(answer.body)).toContain('apt-get install bubblewrap');
    } finally {
      await gw.close();
    }
  });
});

async function waitForStatus(id: string): Promise<Any> {
  for (let i = 0; i < 500; i++) {
    const response = (await client.responses.retrieve(id)) as Any;
    if (!['queued', 'in_progress'].includes(response.status)) return response;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('response did not settle');
}
