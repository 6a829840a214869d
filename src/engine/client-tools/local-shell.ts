/** `local_shell` (Codex CLI's): one command line as an argv, run on the client's machine. */
import type { LocalShellExecAction } from '../../protocol/response.js';
import { type ClientTool, isRecord, objectArgs, positiveOrNull, stringList } from './client-tool.js';

export const localShellTool: ClientTool = {
  toolType: 'local_shell',
  itemType: 'local_shell_call',
  outputType: 'local_shell_call_output',
  idPrefix: 'lsh',
  declare: () => ({
    name: 'local_shell',
    description: "Runs one command (an argv) on the user's machine and reports its output.",
    parameters: {
      type: 'object',
      properties: {
        action: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['exec'] },
            command: { type: 'array', items: { type: 'string' } },
            env: { type: 'object', additionalProperties: { type: 'string' } },
            timeout_ms: { type: ['integer', 'null'] },
            user: { type: ['string', 'null'] },
            working_directory: { type: ['string', 'null'] },
          },
          required: ['type', 'command'],
          additionalProperties: false,
        },
      },
      required: ['action'],
      additionalProperties: false,
    },
  }),
  item: (id, callId, args) => ({
    id,
    type: 'local_shell_call',
    call_id: callId,
    action: actionOf(objectArgs(args).action),
    status: 'completed',
  }),
  argumentsOf: (item) => JSON.stringify({ action: item.action }),
  answer: (output) => ({ text: typeof output.output === 'string' ? output.output : '' }),
};

function actionOf(value: unknown): LocalShellExecAction {
  const action = isRecord(value) ? value : {};
  const env: Record<string, string> = {};
  if (isRecord(action.env)) for (const [key, v] of Object.entries(action.env)) env[key] = String(v);
  const timeout = positiveOrNull(action.timeout_ms);
  return {
    type: 'exec',
    command: stringList(action.command),
    env,
    ...(timeout !== null ? { timeout_ms: timeout } : {}),
    ...(typeof action.user === 'string' ? { user: action.user } : {}),
    ...(typeof action.working_directory === 'string' ? { working_directory: action.working_directory } : {}),
  };
}
