/**
 * Output items of the tools the client runs itself besides functions and custom tools (openai
 * `ResponseApplyPatchToolCall`, `ResponseFunctionShellToolCall`, `ResponseOutputItem.LocalShellCall`,
 * `ResponseComputerToolCall`, `ResponseToolSearchCall`): the model's call, reported as its own item,
 * which the client answers with the matching `*_output` input item in its next request.
 */

export type ApplyPatchOperation =
  | { type: 'create_file'; path: string; diff: string }
  | { type: 'update_file'; path: string; diff: string }
  | { type: 'delete_file'; path: string };

export type ApplyPatchCallItem = {
  id: string;
  type: 'apply_patch_call';
  call_id: string;
  operation: ApplyPatchOperation;
  status: 'in_progress' | 'completed';
};

export interface ShellAction {
  commands: string[];
  max_output_length: number | null;
  timeout_ms: number | null;
}

/**
 * A `shell` call the client runs (`environment: {type: "local"}`, or none). Its item type is the
 * hosted shell's too, so in the output union it is a HostedToolCallItem (a type alias, so that it
 * is assignable to one).
 */
export type LocalShellToolCallItem = {
  id: string;
  type: 'shell_call';
  call_id: string;
  action: ShellAction;
  environment: { type: 'local' } | null;
  status: 'in_progress' | 'completed' | 'incomplete';
};

export interface LocalShellExecAction {
  type: 'exec';
  command: string[];
  env: Record<string, string>;
  timeout_ms?: number | null;
  user?: string | null;
  working_directory?: string | null;
}

export type LocalShellCallItem = {
  id: string;
  type: 'local_shell_call';
  call_id: string;
  action: LocalShellExecAction;
  status: 'in_progress' | 'completed' | 'incomplete';
};

type Keys = { keys?: string[] | null };

/** One computer action (openai `ComputerAction`). */
export type ComputerAction =
  | ({ type: 'click'; button: 'left' | 'right' | 'wheel' | 'back' | 'forward'; x: number; y: number } & Keys)
  | { type: 'double_click'; x: number; y: number; keys: string[] | null }
  | ({ type: 'drag'; path: Array<{ x: number; y: number }> } & Keys)
  | { type: 'keypress'; keys: string[] }
  | ({ type: 'move'; x: number; y: number } & Keys)
  | { type: 'screenshot' }
  | ({ type: 'scroll'; x: number; y: number; scroll_x: number; scroll_y: number } & Keys)
  | { type: 'type'; text: string }
  | { type: 'wait' };

export interface SafetyCheck {
  id: string;
  code?: string | null;
  message?: string | null;
}

/** `computer` (GA) batches `actions`; `computer_use_preview` sends one `action`. */
export type ComputerCallItem = {
  id: string;
  type: 'computer_call';
  call_id: string;
  action?: ComputerAction;
  actions?: ComputerAction[];
  pending_safety_checks: SafetyCheck[];
  status: 'in_progress' | 'completed' | 'incomplete';
};

export type ToolSearchCallItem = {
  id: string;
  type: 'tool_search_call';
  call_id: string | null;
  arguments: unknown;
  execution: 'server' | 'client';
  status: 'in_progress' | 'completed' | 'incomplete';
};

export type ClientToolCallItem =
  | ApplyPatchCallItem
  | LocalShellCallItem
  | ComputerCallItem
  | ToolSearchCallItem;
