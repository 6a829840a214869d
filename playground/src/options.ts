/**
 * The request settings panel: instructions, reasoning, tools, structured output, background.
 * `requestFields()` turns it into the body fields of a create; every choice persists.
 */
import { h } from './dom.js';
import { load, save } from './settings.js';

interface Options {
  instructions: string;
  effort: string;
  summary: boolean;
  background: boolean;
  fileSearch: boolean;
  vectorStoreId: string;
  webSearch: boolean;
  codeInterpreter: boolean;
  mcpLabel: string;
  mcpUrl: string;
  mcpApproval: string;
  functions: string;
  schemaOn: boolean;
  schema: string;
}

const DEFAULTS: Options = {
  instructions: '',
  effort: '',
  summary: true,
  background: false,
  fileSearch: false,
  vectorStoreId: '',
  webSearch: false,
  codeInterpreter: false,
  mcpLabel: '',
  mcpUrl: '',
  mcpApproval: 'always',
  functions: '',
  schemaOn: false,
  schema:
    '{\n  "type": "object",\n  "properties": { "answer": { "type": "string" } },\n  "required": ["answer"],\n  "additionalProperties": false\n}',
};

export const options: Options = { ...DEFAULTS, ...load<Partial<Options>>('options', {}) };

function persist(): void {
  save('options', options);
}

type Key = keyof Options;

function checkbox(key: Key, label: string): HTMLElement {
  return h(
    'label',
    { class: 'check' },
    h('input', {
      type: 'checkbox',
      name: key,
      checked: Boolean(options[key]),
      onchange: (e: Event) => {
        (options as unknown as Record<string, unknown>)[key] = (e.target as HTMLInputElement).checked;
        persist();
      },
    }),
    label,
  );
}

function field(
  key: Key,
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
): HTMLElement {
  control.name = key;
  control.value = String(options[key]);
  control.addEventListener('input', () => {
    (options as unknown as Record<string, unknown>)[key] = control.value;
    persist();
  });
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

function select(values: [string, string][]): HTMLSelectElement {
  return h(
    'select',
    {},
    values.map(([value, label]) => h('option', { value }, label)),
  );
}

/** The vector store chooser is filled by the vector store panel. */
export const vectorStoreSelect = select([['', '(choose a vector store)']]);

export function optionsPanel(): HTMLElement {
  return h(
    'section',
    { class: 'options', 'aria-label': 'Request options' },
    field('instructions', 'Instructions', h('textarea', { rows: 3, placeholder: 'System instructions' })),
    field(
      'effort',
      'Reasoning effort',
      select([
        ['', 'default'],
        ['minimal', 'minimal'],
        ['low', 'low'],
        ['medium', 'medium'],
        ['high', 'high'],
      ]),
    ),
    checkbox('summary', 'Reasoning summaries'),
    checkbox('background', 'Background (survives reload)'),
    h('h3', {}, 'Tools'),
    checkbox('fileSearch', 'file_search'),
    field('vectorStoreId', 'Vector store', vectorStoreSelect),
    checkbox('webSearch', 'web_search'),
    checkbox('codeInterpreter', 'code_interpreter'),
    field('mcpLabel', 'MCP server label', h('input', { placeholder: 'e.g. docs' })),
    field('mcpUrl', 'MCP server URL', h('input', { type: 'url', placeholder: 'https://…/mcp' })),
    field(
      'mcpApproval',
      'MCP approval',
      select([
        ['always', 'always ask'],
        ['never', 'never ask'],
      ]),
    ),
    field(
      'functions',
      'Function tools (JSON array)',
      h('textarea', { rows: 4, placeholder: '[{"type":"function","name":"get_weather","parameters":{…}}]' }),
    ),
    h('h3', {}, 'Structured output'),
    checkbox('schemaOn', 'Answer with this JSON schema'),
    field('schema', 'JSON schema', h('textarea', { rows: 6, spellcheck: 'false' })),
  );
}

/** The body fields the panel asks for; throws with a readable message on bad JSON. */
export function requestFields(): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.instructions.trim()) body.instructions = options.instructions;
  if (options.effort || options.summary) {
    body.reasoning = {
      ...(options.effort ? { effort: options.effort } : {}),
      ...(options.summary ? { summary: 'auto' } : {}),
    };
  }
  const tools: unknown[] = [];
  // What the tools found is left out of their items unless asked for: the page wants to show it.
  const include: string[] = [];
  if (options.fileSearch) {
    if (!options.vectorStoreId) throw new Error('file_search needs a vector store: create one under Files.');
    tools.push({ type: 'file_search', vector_store_ids: [options.vectorStoreId] });
    include.push('file_search_call.results');
  }
  if (options.webSearch) {
    tools.push({ type: 'web_search' });
    include.push('web_search_call.action.sources');
  }
  if (options.codeInterpreter) {
    tools.push({ type: 'code_interpreter', container: { type: 'auto' } });
    include.push('code_interpreter_call.outputs');
  }
  if (include.length) body.include = include;
  if (options.mcpLabel && options.mcpUrl) {
    tools.push({
      type: 'mcp',
      server_label: options.mcpLabel,
      server_url: options.mcpUrl,
      require_approval: options.mcpApproval,
    });
  }
  if (options.functions.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(options.functions);
    } catch (error) {
      throw new Error(`Function tools: ${(error as Error).message}`);
    }
    tools.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  }
  if (tools.length) body.tools = tools;
  if (options.schemaOn) {
    try {
      body.text = {
        format: { type: 'json_schema', name: 'answer', strict: true, schema: JSON.parse(options.schema) },
      };
    } catch (error) {
      throw new Error(`JSON schema: ${(error as Error).message}`);
    }
  }
  if (options.background) body.background = true;
  return body;
}
