/**
 * A bound on how deeply a request body nests. JSON.parse takes any depth, but later steps that
 * walk a free-form part (a tool's `parameters`, a `json_schema`) recursively — schema
 * conversion, JSON.stringify for the upstream — overflow the stack on a few hundred thousand
 * levels. No real schema or input comes near the limit. The walk is iterative, skips strings and
 * builds the offending path only when there is one.
 */
import { invalidRequest } from '../errors.js';

export const MAX_BODY_DEPTH = 128;

interface Node {
  value: object;
  depth: number;
  parent: Node | undefined;
  key: string | number;
}

/** Throws a 400 naming the first value nested deeper than MAX_BODY_DEPTH. */
export function checkBodyDepth(body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  const stack: Node[] = [{ value: body, depth: 1, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node.value)) {
      for (let key = 0; key < node.value.length; key++) visit(stack, node, key, node.value[key]);
    } else {
      for (const key in node.value) visit(stack, node, key, (node.value as Record<string, unknown>)[key]);
    }
  }
}

function visit(stack: Node[], parent: Node, key: string | number, child: unknown): void {
  if (child === null || typeof child !== 'object') return;
  const node: Node = { value: child, depth: parent.depth + 1, parent, key };
  if (node.depth > MAX_BODY_DEPTH) {
    const param = pathOf(node).slice(0, 200);
    throw invalidRequest(
      `Invalid '${param}': the request nests more than ${MAX_BODY_DEPTH} levels deep.`,
      param,
      'nesting_too_deep',
    );
  }
  stack.push(node);
}

function pathOf(node: Node): string {
  const keys: Array<string | number> = [];
  for (let at: Node | undefined = node; at?.parent; at = at.parent) keys.push(at.key);
  return keys
    .reverse()
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`))
    .join('');
}
