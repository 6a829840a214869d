/**
 * The hosted shell tool on its own (test/e2e/hosted-shell.test.ts runs it through the loop): its
 * commands run in the same container as code_interpreter, each with its exit code or timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/config-schema.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { type CodeContainers, createCodeContainers } from '../../../src/tools/containers/code-containers.js';
import type { BuiltInTool, ToolExecution } from '../../../src/tools/types.js';
import { TEST_CODE_SANDBOX } from '../code-interpreter/sandbox-helpers.js';

let store: SqliteStore;
let code: CodeContainers;

beforeAll(() => {
  store = new SqliteStore(':memory:');
  const config = configSchema.parse({ codeSandbox: TEST_CODE_SANDBOX }).codeSandbox;
  code = createCodeContainers(config, {
    repository: store.containers,
    responses: store.responses,
    db: ':memory:',
  });
});
afterAll(async () => {
  await code.close();
  await store.close();
});

function hostedShell(): BuiltInTool {
  const tool = code.tools.find((candidate) => candidate.type === 'shell');
  if (!tool) throw new Error('the hosted shell is not among the code tools');
  return tool;
}

const how = (): ToolExecution => ({
  signal: new AbortController().signal,
  progress: () => undefined,
  context: { tenantId: 'default', responseId: 'resp_1', include: [], previousResponseId: undefined },
  cite: () => 1,
});

describe('hosted shell', () => {
  it('runs commands in a referenced container, sharing its files with code_interpreter', async () => {
    const container = await code.containers.create('default', { name: 'shared' });
    await code.containers.addFile('default', container.id, 'notes.txt', Buffer.from('one\ntwo\n'));
    const shell = await hostedShell().prepare(
      { type: 'shell', environment: { type: 'container_reference', container_id: container.id } },
      { tenantId: 'default', param: 'tools[0]' },
    );
    const call = {
      itemId: 'sh_1',
      callId: 'call_1',
      arguments: JSON.stringify({
        commands: ['wc -l < notes.txt', 'echo oops >&2; exit 4', 'sleep 5'],
        timeout_ms: 300,
      }),
    };
    expect(shell.openItem(call)).toMatchObject({
      call_id: 'call_1',
      action: { commands: ['wc -l < notes.txt', 'echo oops >&2; exit 4', 'sleep 5'], timeout_ms: 300 },
      environment: { type: 'container_reference', container_id: container.id },
    });
    const result = await shell.execute(call, how());
    expect(result.item).toMatchObject({ status: 'completed' });
    expect(JSON.parse(result.output as string).output).toEqual([
      { stdout: '2\n', stderr: '', outcome: { type: 'exit', exit_code: 0 } },
      { stdout: '', stderr: 'oops\n', outcome: { type: 'exit', exit_code: 4 } },
      { stdout: '', stderr: '', outcome: { type: 'timeout' } },
    ]);
    // The output is its own item after the call, as OpenAI shows it.
    expect(result.followUps).toEqual([
      {
        type: 'shell_call_output',
        idPrefix: 'sho',
        fields: {
          call_id: 'call_1',
          output: JSON.parse(result.output as string).output,
          max_output_length: null,
          status: 'completed',
        },
      },
    ]);
  });

  it('refuses an unknown container and leaves client-run shells alone', async () => {
    await expect(
      hostedShell().prepare(
        { type: 'shell', environment: { type: 'container_reference', container_id: 'cntr_nope' } },
        { tenantId: 'default', param: 'tools[0]' },
      ),
    ).rejects.toMatchObject({ status: 404, param: 'tools[0].environment.container_id' });
    await expect(
      hostedShell().prepare(
        { type: 'shell', environment: { type: 'local' } },
        { tenantId: 'default', param: 'tools[0]' },
      ),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('makes an auto container on the first call', async () => {
    const shell = await hostedShell().prepare(
      { type: 'shell', environment: { type: 'container_auto' } },
      { tenantId: 'default', param: 'tools[0]' },
    );
    const call = {
      itemId: 'sh_2',
      callId: 'call_2',
      arguments: JSON.stringify({ commands: ['python3 -c "print(6*7)"'] }),
    };
    const result = await shell.execute(call, how());
    expect(JSON.parse(result.output as string).output[0].stdout).toBe('42\n');
    const id = (result.item.environment as { container_id: string }).container_id;
    expect((await code.containers.retrieve('default', id)).status).toBe('running');
  });
});
