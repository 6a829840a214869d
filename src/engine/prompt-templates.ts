/**
 * `prompt: {id, version, variables}` → instructions and input from a template in the config file.
 * `{{name}}` placeholders take a string or an input_text's text; an input_image or input_file
 * variable becomes that part itself, which only a user message of the template's input can hold.
 * The template's instructions come before the request's own `instructions`, its input before the
 * request's `input`. Without a version the highest one is used; the Response echoes it.
 */
import type { PromptTemplateConfig } from '../config/config-schema.js';
import { invalidRequest } from '../errors.js';
import type { CreateResponseBody, InputContent, InputItem } from '../protocol/create-response.js';

export type PromptTemplates = Readonly<Record<string, PromptTemplateConfig>>;

type Prompt = NonNullable<CreateResponseBody['prompt']>;
type Variables = NonNullable<Prompt['variables']>;
type VersionSpec = PromptTemplateConfig['versions'][string];

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The body with the template applied; unchanged when it names no prompt. */
export function applyPromptTemplate(
  body: CreateResponseBody,
  templates: PromptTemplates,
): CreateResponseBody {
  const prompt = body.prompt;
  if (prompt == null) return body;
  const template = Object.hasOwn(templates, prompt.id) ? templates[prompt.id] : undefined;
  if (!template) {
    throw invalidRequest(`Prompt template '${prompt.id}' not found.`, 'prompt.id', 'invalid_value');
  }
  const versions = Object.keys(template.versions).sort((a, b) => Number(a) - Number(b));
  const version = prompt.version ?? versions[versions.length - 1]!;
  const spec = Object.hasOwn(template.versions, version) ? template.versions[version] : undefined;
  if (!spec) {
    throw invalidRequest(
      `Prompt template '${prompt.id}' has no version '${version}'. Available versions: ${versions.map((v) => `'${v}'`).join(', ')}.`,
      'prompt.version',
      'invalid_value',
    );
  }
  const variables = prompt.variables ?? {};
  checkVariables(spec, variables, prompt.id, version);

  const instructions = spec.instructions !== undefined ? fillText(spec.instructions, variables) : undefined;
  const templateInput = templateItems(spec, variables);
  const merged: CreateResponseBody = {
    ...body,
    prompt: { id: prompt.id, version, variables: prompt.variables ?? null },
  };
  if (instructions !== undefined) {
    merged.instructions =
      body.instructions != null && body.instructions !== ''
        ? `${instructions}\n\n${body.instructions}`
        : instructions;
  }
  if (templateInput.length > 0) {
    const own: InputItem[] =
      body.input === undefined
        ? []
        : typeof body.input === 'string'
          ? [{ role: 'user', content: body.input }]
          : [...body.input];
    merged.input = [...templateInput, ...own];
  }
  return merged;
}

function checkVariables(spec: VersionSpec, variables: Variables, id: string, version: string): void {
  const texts = [
    spec.instructions ?? '',
    ...(typeof spec.input === 'string' ? [spec.input] : (spec.input ?? []).map((m) => m.content)),
  ];
  const missing = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (!Object.hasOwn(variables, match[1]!)) missing.add(match[1]!);
    }
  }
  if (missing.size > 0) {
    const names = [...missing].map((name) => `'${name}'`).join(', ');
    throw invalidRequest(
      `Missing prompt variable${missing.size > 1 ? 's' : ''} ${names}: version '${version}' of prompt '${id}' uses ${missing.size > 1 ? 'them' : 'it'}; provide ${missing.size > 1 ? 'them' : 'it'} in 'prompt.variables'.`,
      'prompt.variables',
      'missing_required_parameter',
    );
  }
}

function templateItems(spec: VersionSpec, variables: Variables): InputItem[] {
  if (spec.input === undefined) return [];
  const messages =
    typeof spec.input === 'string' ? [{ role: 'user' as const, content: spec.input }] : spec.input;
  return messages.map((message): InputItem => {
    if (message.role === 'user') return { role: 'user', content: fillParts(message.content, variables) };
    return { role: message.role, content: fillText(message.content, variables) };
  });
}

/** Text-only placeholders (instructions, non-user messages). */
function fillText(text: string, variables: Variables): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = variables[name]!;
    if (typeof value === 'string') return value;
    if (value.type === 'input_text') return value.text;
    throw invalidRequest(
      `Prompt variable '${name}' is an ${value.type}: it can only fill a placeholder in a user message of the prompt's input, not its instructions or other messages.`,
      `prompt.variables.${name}`,
      'invalid_value',
    );
  });
}

/** A user message's content: text around the placeholders, image and file variables as parts. */
function fillParts(text: string, variables: Variables): InputContent[] {
  const parts: InputContent[] = [];
  let buffer = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    buffer += text.slice(last, match.index);
    last = match.index + match[0].length;
    const value = variables[match[1]!]!;
    if (typeof value === 'string') buffer += value;
    else if (value.type === 'input_text') buffer += value.text;
    else {
      if (buffer !== '') parts.push({ type: 'input_text', text: buffer });
      buffer = '';
      parts.push({ ...value });
    }
  }
  buffer += text.slice(last);
  if (buffer !== '' || parts.length === 0) parts.push({ type: 'input_text', text: buffer });
  return parts;
}
