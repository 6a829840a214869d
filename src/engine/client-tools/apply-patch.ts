/** `apply_patch`: the model creates, updates or deletes one file per call with a V4A diff. */
import type { ApplyPatchOperation } from '../../protocol/response.js';
import { type ClientTool, isRecord, objectArgs } from './client-tool.js';

const OPERATIONS = ['create_file', 'update_file', 'delete_file'] as const;

export const applyPatchTool: ClientTool = {
  toolType: 'apply_patch',
  itemType: 'apply_patch_call',
  outputType: 'apply_patch_call_output',
  idPrefix: 'apc',
  declare: () => ({
    name: 'apply_patch',
    description:
      'Creates, updates or deletes one file of the workspace. create_file: `diff` is the new ' +
      "file's content with every line prefixed by '+'; update_file: `diff` is a V4A diff (@@ " +
      "context lines, then lines prefixed by ' ', '-' or '+'); delete_file: no diff.",
    parameters: {
      type: 'object',
      properties: {
        operation: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: [...OPERATIONS] },
            path: { type: 'string', description: 'Path of the file, relative to the workspace root.' },
            diff: { type: 'string' },
          },
          required: ['type', 'path'],
          additionalProperties: false,
        },
      },
      required: ['operation'],
      additionalProperties: false,
    },
  }),
  item: (id, callId, args) => ({
    id,
    type: 'apply_patch_call',
    call_id: callId,
    operation: operationOf(objectArgs(args).operation),
    status: 'completed',
  }),
  argumentsOf: (item) => JSON.stringify({ operation: item.operation }),
  answer: (output) => ({
    text:
      typeof output.output === 'string' && output.output !== ''
        ? output.output
        : `(${String(output.status)})`,
  }),
};

function operationOf(value: unknown): ApplyPatchOperation {
  const operation = isRecord(value) ? value : {};
  const path = typeof operation.path === 'string' ? operation.path : '';
  const diff = typeof operation.diff === 'string' ? operation.diff : '';
  if (operation.type === 'delete_file') return { type: 'delete_file', path };
  return { type: operation.type === 'create_file' ? 'create_file' : 'update_file', path, diff };
}
