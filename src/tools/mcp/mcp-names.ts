/**
 * The function name a model knows a server's tool by: the server label and the tool's name, so two
 * servers' tools of one name stay apart; limited to what every upstream takes (64 of
 * `[a-zA-Z0-9_-]`). Earlier turns' calls are replayed under the same name.
 */
const UNSAFE = /[^a-zA-Z0-9_-]/g;
const MAX = 64;

export function functionName(serverLabel: string, toolName: string): string {
  const name = `${serverLabel}__${toolName}`.replace(UNSAFE, '_');
  return name.length <= MAX ? name : name.slice(0, MAX);
}
