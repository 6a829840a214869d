/**
 * `computer` (GA: a batch of `actions` per call) and `computer_use_preview` (one `action`): the
 * client performs the actions on its screen and answers with a screenshot, which the model is
 * shown as an image. Safety checks come only from an upstream that runs them (a native Responses
 * one); a declared function has none, so `pending_safety_checks` is empty.
 */
import type { ComputerAction, SafetyCheck } from '../../protocol/response.js';
import { type ClientTool, type Entry, isRecord, objectArgs } from './client-tool.js';

const ACTION_SCHEMA = {
  type: 'object',
  properties: {
    type: {
      type: 'string',
      enum: ['click', 'double_click', 'drag', 'keypress', 'move', 'screenshot', 'scroll', 'type', 'wait'],
    },
    x: { type: 'integer' },
    y: { type: 'integer' },
    button: { type: 'string', enum: ['left', 'right', 'wheel', 'back', 'forward'] },
    keys: { type: 'array', items: { type: 'string' } },
    text: { type: 'string' },
    scroll_x: { type: 'integer' },
    scroll_y: { type: 'integer' },
    path: {
      type: 'array',
      items: { type: 'object', properties: { x: { type: 'integer' }, y: { type: 'integer' } } },
    },
  },
  required: ['type'],
};

const DESCRIPTION =
  "Operates the user's computer: click, double_click, drag (path), keypress (keys), move, scroll " +
  '(scroll_x/scroll_y at x,y), type (text), wait, or screenshot. The answer is a screenshot.';

function display(entry: Entry): string {
  const { display_width: width, display_height: height, environment } = entry;
  if (typeof width !== 'number' || typeof height !== 'number') return '';
  return ` The display is ${width}×${height}${typeof environment === 'string' ? ` (${environment})` : ''}.`;
}

const screenshotAnswer: ClientTool['answer'] = (output) => {
  const screenshot = isRecord(output.output) ? output.output : {};
  return {
    screenshot: {
      ...(typeof screenshot.image_url === 'string' ? { image_url: screenshot.image_url } : {}),
      ...(typeof screenshot.file_id === 'string' ? { file_id: screenshot.file_id } : {}),
    },
  };
};

export const computerTool: ClientTool = {
  toolType: 'computer',
  itemType: 'computer_call',
  outputType: 'computer_call_output',
  idPrefix: 'cu',
  declare: (entry) => ({
    name: 'computer',
    description: `${DESCRIPTION} Several actions may go in one call; they run in order.${display(entry)}`,
    parameters: {
      type: 'object',
      properties: { actions: { type: 'array', items: ACTION_SCHEMA } },
      required: ['actions'],
    },
  }),
  item: (id, callId, args) => {
    const fields = objectArgs(args);
    const actions = Array.isArray(fields.actions) ? fields.actions.flatMap(actionOf) : [];
    return { id, type: 'computer_call', call_id: callId, actions, ...safety(fields), status: 'completed' };
  },
  argumentsOf: (item) => JSON.stringify({ actions: item.actions ?? (item.action ? [item.action] : []) }),
  answer: screenshotAnswer,
};

export const computerUsePreviewTool: ClientTool = {
  toolType: 'computer_use_preview',
  itemType: 'computer_call',
  outputType: 'computer_call_output',
  idPrefix: 'cu',
  declare: (entry) => ({
    name: 'computer',
    description: `${DESCRIPTION}${display(entry)}`,
    parameters: { type: 'object', properties: { action: ACTION_SCHEMA }, required: ['action'] },
  }),
  item: (id, callId, args) => {
    const fields = objectArgs(args);
    const action = actionOf(fields.action)[0] ?? { type: 'screenshot' };
    return { id, type: 'computer_call', call_id: callId, action, ...safety(fields), status: 'completed' };
  },
  argumentsOf: (item) =>
    JSON.stringify({ action: item.action ?? (Array.isArray(item.actions) ? item.actions[0] : undefined) }),
  answer: screenshotAnswer,
};

/** An action as the model gave it; only its `type` is required (the client checks the rest). */
function actionOf(value: unknown): ComputerAction[] {
  if (!isRecord(value) || typeof value.type !== 'string') return [];
  return [value as ComputerAction];
}

/** The upstream's safety checks (native upstreams only), else none. */
function safety(fields: Record<string, unknown>): { pending_safety_checks: SafetyCheck[] } {
  const checks = Array.isArray(fields.pending_safety_checks) ? fields.pending_safety_checks : [];
  return {
    pending_safety_checks: checks.filter(
      (check): check is SafetyCheck => isRecord(check) && typeof check.id === 'string',
    ),
  };
}
