/**
 * `shell` run by the client (`environment: {type: "local"}` or none; a container environment is
 * the gateway's hosted shell, tools/shell/): commands for the client's machine, answered with
 * each command's stdout, stderr and exit (or timeout).
 */
import { isHostedShell } from '../../tools/shell/shell-tool.js';
import {
  type ClientTool,
  type Entry,
  isRecord,
  objectArgs,
  positiveOrNull,
  stringList,
} from './client-tool.js';

/** Whether a `shell` tools entry or shell_call item is the client's to run. */
export function isClientShell(entry: Record<string, unknown>): boolean {
  return !isHostedShell(entry);
}

export const shellTool: ClientTool = {
  toolType: 'shell',
  itemType: 'shell_call',
  outputType: 'shell_call_output',
  idPrefix: 'sh',
  declare: () => ({
    name: 'shell',
    description:
      "Runs shell commands on the user's machine, one after another; each reports its stdout, " +
      'stderr and exit code.',
    parameters: {
      type: 'object',
      properties: {
        action: {
          type: 'object',
          properties: {
            commands: { type: 'array', items: { type: 'string' } },
            timeout_ms: { type: ['integer', 'null'], description: 'Time limit of each command, ms.' },
            max_output_length: { type: ['integer', 'null'], description: 'Characters kept of each output.' },
          },
          required: ['commands'],
          additionalProperties: false,
        },
      },
      required: ['action'],
      additionalProperties: false,
    },
  }),
  item: (id, callId, args, entry) => {
    const action = objectArgs(args).action;
    const fields = isRecord(action) ? action : {};
    return {
      id,
      type: 'shell_call',
      call_id: callId,
      action: {
        commands: stringList(fields.commands),
        max_output_length: positiveOrNull(fields.max_output_length),
        timeout_ms: positiveOrNull(fields.timeout_ms),
      },
      environment: localEnvironment(entry),
      status: 'completed',
    };
  },
  argumentsOf: (item) => JSON.stringify({ action: item.action }),
  answer: (output) => ({
    text: JSON.stringify({ output: output.output, max_output_length: output.max_output_length ?? null }),
  }),
};

function localEnvironment(entry: Entry | undefined): { type: 'local' } | null {
  const type = (entry?.environment as { type?: unknown } | null | undefined)?.type;
  return type === 'local' ? { type: 'local' } : null;
}
