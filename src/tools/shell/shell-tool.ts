/**
 * The hosted `shell` tool (`{type: "shell", environment: {type: "container_auto" | "container_reference"}}`):
 * the model's commands run with /bin/sh in the same containers as code_interpreter (same files,
 * same sandbox), one after another, each with its own exit code or timeout. Without a container
 * environment the shell is the client's to run (the tool loop leaves it to the client).
 */
import { invalidRequest } from '../../errors.js';
import type { ContainerRecord } from '../../store/types.js';
import type { CodeInterpreterDeps } from '../code-interpreter/code-interpreter-tool.js';
import { describeEnd, type ShellCommandResult } from '../code-interpreter/kernel-process.js';
import { unavailableError } from '../code-interpreter/sandbox-availability.js';
import { ContainerBinding } from '../containers/container-binding.js';
import type { BuiltInTool, PreparedTool, ToolCall, ToolExecution, ToolResult } from '../types.js';

interface ShellAction {
  commands: string[];
  timeout_ms: number | null;
  max_output_length: number | null;
}

/** Per command, when the model gives none. */
const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OUTPUT = 20_000;

/** Whether a shell tool entry asks for a hosted container (else the client runs it). */
export function isHostedShell(entry: Record<string, unknown>): boolean {
  const type = (entry.environment as { type?: unknown } | null | undefined)?.type;
  return type === 'container_auto' || type === 'container_reference';
}

export function shellTool(deps: CodeInterpreterDeps): BuiltInTool {
  return {
    type: 'shell',
    itemType: 'shell_call',
    idPrefix: 'sh',
    async prepare(entry, how) {
      const param = `${how.param}.environment`;
      const environment = entry.environment as Record<string, unknown> | null | undefined;
      if (!environment || !isHostedShell(entry)) {
        throw invalidRequest('This shell tool runs on the client; it needs no hosted container.', param);
      }
      const availability = await deps.runtime.availability();
      if (!availability.ok) throw unavailableError(availability.reason, how.param);
      const spec =
        environment.type === 'container_reference'
          ? { id: String(environment.container_id ?? '') }
          : { auto: { ...environment, type: undefined } };
      const binding = await ContainerBinding.bind(
        deps.containers,
        {
          tenantId: how.tenantId,
          param: environment.type === 'container_reference' ? `${param}.container_id` : param,
          previous: deps.previousContainer,
        },
        spec,
      );
      return prepared(deps, binding);
    },
    replay(item) {
      const action = item.action as ShellAction | undefined;
      return {
        arguments: JSON.stringify({
          commands: action?.commands ?? [],
          timeout_ms: action?.timeout_ms ?? null,
          max_output_length: action?.max_output_length ?? null,
        }),
        // Told only when no shell_call_output item answers the call (it failed before any ran).
        output: `(shell call ${String(item.status ?? 'completed')}; no output)`,
      };
    },
  };
}

function prepared(deps: CodeInterpreterDeps, binding: ContainerBinding): PreparedTool {
  const environment = () => ({ type: 'container_reference', container_id: binding.id });
  return {
    spec: {
      kind: 'function',
      name: 'shell',
      description:
        'Runs shell commands (/bin/sh) one after another in a sandboxed Linux container with Python 3; ' +
        'the working directory is /mnt/data, shared with code_interpreter. There is no network access.',
      parameters: {
        type: 'object',
        properties: {
          commands: { type: 'array', items: { type: 'string' } },
          timeout_ms: { type: ['integer', 'null'], description: 'Time limit of each command, ms.' },
          max_output_length: { type: ['integer', 'null'], description: 'Characters kept of each output.' },
        },
        required: ['commands', 'timeout_ms', 'max_output_length'],
        additionalProperties: false,
      },
      strict: true,
    },
    openItem: (call) => ({ call_id: call.callId, action: actionOf(call), environment: environment() }),
    async execute(call: ToolCall, how: ToolExecution): Promise<ToolResult> {
      const action = actionOf(call);
      const container: ContainerRecord = await binding.container(how.context);
      const perCommand = action.timeout_ms ?? DEFAULT_COMMAND_TIMEOUT_MS;
      const result = await deps.containers.run(
        how.context.tenantId,
        container,
        { op: 'shell', commands: action.commands, timeout_ms: perCommand },
        {
          timeoutMs: Math.min(deps.callTimeoutMs, perCommand * action.commands.length + 5_000),
          signal: how.signal,
        },
      );
      if (how.signal.aborted) throw how.signal.reason;
      const item = { call_id: call.callId, action, environment: environment() };
      const answer = (status: 'completed' | 'incomplete', output: ShellCommandResult[]): ToolResult => ({
        item: { ...item, status },
        output: JSON.stringify({ output, max_output_length: action.max_output_length }),
        followUps: [
          {
            type: 'shell_call_output',
            idPrefix: 'sho',
            fields: { call_id: call.callId, output, max_output_length: action.max_output_length, status },
          },
        ],
      });
      if (result.outcome.type === 'ended') {
        // The sandbox itself went away (killed for memory, CPU time…): the commands' output is lost.
        const { end } = result.outcome;
        const stderr = `The commands could not finish: ${describeEnd(end)}.`;
        const outcome: ShellCommandResult['outcome'] =
          end.signal === 'SIGXCPU' || end.killedFor === 'timeout'
            ? { type: 'timeout' }
            : { type: 'exit', exit_code: end.code ?? 137 };
        return answer('incomplete', [{ stdout: '', stderr, outcome }]);
      }
      const max = action.max_output_length ?? DEFAULT_MAX_OUTPUT;
      const outputs = (result.outcome.reply.results ?? []).map((r) => clipResult(r, max));
      return answer(result.outcome.stoppedFor === 'timeout' ? 'incomplete' : 'completed', outputs);
    },
  };
}

function actionOf(call: ToolCall): ShellAction {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(call.arguments) as unknown;
    if (value !== null && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    // A bare command line.
    return { commands: [call.arguments], timeout_ms: null, max_output_length: null };
  }
  const commands = Array.isArray(parsed.commands) ? parsed.commands.map(String) : [];
  const number = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
  return {
    commands,
    timeout_ms: number(parsed.timeout_ms),
    max_output_length: number(parsed.max_output_length),
  };
}

function clipResult(result: ShellCommandResult, max: number): ShellCommandResult {
  return { ...result, stdout: result.stdout.slice(0, max), stderr: result.stderr.slice(0, max) };
}
