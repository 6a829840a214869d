/**
 * Custom (free-form) tools on upstreams that only know JSON-schema functions: the tool becomes a
 * function taking one string, and the call's JSON arguments are unwrapped back to that string.
 */

export const CUSTOM_TOOL_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw input for the tool.' } },
  required: ['input'],
  additionalProperties: false,
};

/** The function arguments a custom tool call's raw input travels as. */
export function wrapCustomInput(input: string): { input: string } {
  return { input };
}

/** The raw input of a custom tool call from its JSON arguments (the arguments as they are otherwise). */
export function unwrapCustomInput(args: unknown): string {
  if (typeof args === 'string') {
    try {
      return unwrapCustomInput(JSON.parse(args));
    } catch {
      return args;
    }
  }
  if (args !== null && typeof args === 'object' && typeof (args as { input?: unknown }).input === 'string') {
    return (args as { input: string }).input;
  }
  return JSON.stringify(args ?? {});
}

/** The description a custom tool travels with: its own, plus its grammar when it has one. */
export function customToolDescription(tool: { description?: string; format?: unknown }): string | undefined {
  const definition = (tool.format as { definition?: unknown } | null | undefined)?.definition;
  const text = [
    tool.description,
    typeof definition === 'string' ? `The input must follow this grammar:\n${definition}` : undefined,
  ]
    .filter((piece) => piece != null && piece !== '')
    .join('\n\n');
  return text === '' ? undefined : text;
}
