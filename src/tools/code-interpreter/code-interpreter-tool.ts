/**
 * `code_interpreter`: the model writes Python, the gateway runs it in the container's kernel. An
 * exception in the code is a result (its traceback is in the logs, the call `completed`), as with
 * OpenAI; a call that runs out of time is `incomplete`, one whose kernel dies (memory, CPU,
 * crash) `failed` — the model is told which and why.
 */
import type { ContainerRecord } from '../../store/types.js';
import { ContainerBinding, type PreviousContainer } from '../containers/container-binding.js';
import type { Containers } from '../containers/containers.js';
import type { BuiltInTool, PreparedTool, ToolCall, ToolExecution, ToolResult } from '../types.js';
import { describeCall } from './describe-call.js';
import { unavailableError } from './sandbox-availability.js';
import type { SandboxRuntime } from './sandbox-runtime.js';

export interface CodeInterpreterDeps {
  runtime: SandboxRuntime;
  containers: Containers;
  previousContainer?: PreviousContainer | undefined;
  /** Wall-clock limit of one call (the kernel is interrupted, then killed). */
  callTimeoutMs: number;
}

const DESCRIPTION =
  'Runs Python 3 in a stateful Jupyter-like kernel (variables persist between calls; the value of ' +
  'the last expression is printed). numpy, pandas, matplotlib and scipy are available; there is no ' +
  'network access. Files are in /mnt/data (the working directory); files saved there, and figures ' +
  'shown with plt.show(), are returned to the user.';

export function codeInterpreterTool(deps: CodeInterpreterDeps): BuiltInTool {
  return {
    type: 'code_interpreter',
    itemType: 'code_interpreter_call',
    idPrefix: 'ci',
    async prepare(entry, how) {
      const availability = await deps.runtime.availability();
      if (!availability.ok) throw unavailableError(availability.reason, how.param);
      const container = entry.container;
      const binding = await ContainerBinding.bind(
        deps.containers,
        { tenantId: how.tenantId, param: `${how.param}.container`, previous: deps.previousContainer },
        typeof container === 'string' ? { id: container } : { auto: container },
      );
      return prepared(deps, binding);
    },
    replay(item) {
      const outputs = Array.isArray(item.outputs) ? (item.outputs as Array<Record<string, unknown>>) : [];
      const logs = outputs
        .filter((output) => output.type === 'logs')
        .map((output) => String(output.logs ?? ''))
        .join('');
      return {
        arguments: JSON.stringify({ code: typeof item.code === 'string' ? item.code : '' }),
        output:
          outputs.length > 0
            ? logs || '(no output)'
            : `(call ${String(item.status ?? 'completed')}; its output was not kept)`,
      };
    },
  };
}

function prepared(deps: CodeInterpreterDeps, binding: ContainerBinding): PreparedTool {
  return {
    spec: {
      kind: 'function',
      name: 'code_interpreter',
      description: DESCRIPTION,
      parameters: {
        type: 'object',
        properties: { code: { type: 'string', description: 'The Python code to run.' } },
        required: ['code'],
        additionalProperties: false,
      },
      strict: true,
    },
    openItem: (call) => ({ code: codeOf(call), container_id: binding.id, outputs: null }),
    async execute(call: ToolCall, how: ToolExecution): Promise<ToolResult> {
      const code = codeOf(call);
      how.progress({ type: 'phase', phase: 'interpreting' });
      how.progress({
        type: 'delta-done',
        event: 'response.code_interpreter_call_code',
        field: 'code',
        value: code,
      });
      const container: ContainerRecord = await binding.container(how.context);
      const result = await deps.containers.run(
        how.context.tenantId,
        container,
        { op: 'exec', code },
        { timeoutMs: deps.callTimeoutMs, signal: how.signal },
      );
      if (how.signal.aborted) throw how.signal.reason;
      const described = await describeCall(result, {
        container,
        timeoutMs: deps.callTimeoutMs,
        readFile: (file) => deps.containers.fileBytes(how.context.tenantId, container.id, file.id),
        cite: (file) =>
          how.cite({
            type: 'container_file_citation',
            container_id: container.id,
            file_id: file.id,
            filename: file.path.split('/').pop() ?? file.path,
            path: file.path,
          }),
      });
      const withOutputs = how.context.include.includes('code_interpreter_call.outputs');
      return {
        item: {
          status: described.status,
          code,
          container_id: container.id,
          outputs: withOutputs ? described.outputs : null,
        },
        output: described.forModel,
      };
    },
  };
}

/** The model's arguments: `{"code": …}`, or — from models that send it bare — the code itself. */
function codeOf(call: ToolCall): string {
  try {
    const parsed = JSON.parse(call.arguments) as unknown;
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      typeof (parsed as { code?: unknown }).code === 'string'
    ) {
      return (parsed as { code: string }).code;
    }
  } catch {
    // Not JSON: taken as code.
  }
  return call.arguments;
}
