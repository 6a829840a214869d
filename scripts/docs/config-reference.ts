/**
 * docs/configuration.md from the config schema: every key with its type and default from the zod
 * schema (as JSON Schema), its description from the doc comment above it in config-schema.ts, and
 * the environment variable that sets it.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { z } from 'zod';
import { configSchema } from '../../src/config/config-schema.js';

const SCHEMA_SOURCE = new URL('../../src/config/config-schema.ts', import.meta.url);
export const LOAD_CONFIG_SOURCE = new URL('../../src/config/load-config.ts', import.meta.url);

/**
 * Which variable sets which key (src/config/load-config.ts; a test checks every variable read
 * there is listed here or in PROVIDER_ENV).
 */
export const KEY_ENV: Record<string, string> = {
  host: 'RGW_HOST',
  port: 'RGW_PORT',
  db: 'RGW_DB',
  logLevel: 'RGW_LOG_LEVEL',
  apiKeys: 'RGW_API_KEYS (comma-separated)',
  secretKeys: 'RGW_SECRET_KEYS (comma-separated)',
  'outbound.allow': 'RGW_OUTBOUND_ALLOW (comma-separated)',
  'embeddings.model': 'RGW_EMBEDDINGS_MODEL',
  'codeSandbox.mode': 'RGW_CODE_SANDBOX',
  'codeSandbox.python': 'RGW_PYTHON',
  adminKey: 'RGW_ADMIN_KEY',
  workers: 'RGW_WORKERS',
  'background.leaseMs': 'RGW_INSTANCE_LEASE_MS',
  'webSearch.backend': 'RGW_WEB_SEARCH_BACKEND',
  'webSearch.searxngUrl': 'RGW_SEARXNG_URL',
  'webSearch.braveApiKey': 'BRAVE_API_KEY',
  'webSearch.tavilyApiKey': 'TAVILY_API_KEY',
  'webSearch.exaApiKey': 'EXA_API_KEY',
  'images.baseUrl': 'RGW_IMAGES_BASE_URL',
  'images.apiKey': 'RGW_IMAGES_API_KEY',
  'images.model': 'RGW_IMAGES_MODEL',
  'telemetry.otlpEndpoint':
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is), or OTEL_EXPORTER_OTLP_ENDPOINT (with /v1/traces appended)',
  'telemetry.serviceName': 'OTEL_SERVICE_NAME',
};

/** Variables that add a whole provider entry rather than set one key. */
export const PROVIDER_ENV: [string, string][] = [
  ['RGW_CONFIG', 'the config file (YAML or JSON); default `./gateway.config.yaml` if present'],
  [
    'OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_API',
    'provider `openai` (`type: openai-chat`, or `openai-responses` with `OPENAI_API=responses`); the base URL ends in `/v1`',
  ],
  ['ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL', 'provider `anthropic` (base URL: the server root)'],
  ['GEMINI_API_KEY, GEMINI_BASE_URL', 'provider `gemini` (base URL: the server root)'],
  ['RGW_LOCAL_MODEL', 'provider `local` with `modelPath` set to this .gguf file'],
];

/** A JSON Schema node as zod writes it: the fields read here are checked where they are read. */
// biome-ignore lint/suspicious/noExplicitAny: JSON Schema is walked generically; every field is checked before use
type Json = Record<string, any>;

interface Row {
  key: string;
  type: string;
  default: string;
  env: string;
  description: string;
}

/** Doc comments of each `z.strictObject({...})` literal's properties, by the literal's key set. */
function commentsByShape(): Map<string, Map<string, string>> {
  const source = ts.createSourceFile(
    'config-schema.ts',
    readFileSync(SCHEMA_SOURCE, 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
  const shapes = new Map<string, Map<string, string>>();
  const visit = (node: ts.Node) => {
    if (
      ts.isObjectLiteralExpression(node) &&
      ts.isCallExpression(node.parent) &&
      /Object$/.test(node.parent.expression.getText())
    ) {
      const comments = new Map<string, string>();
      const names: string[] = [];
      for (const property of node.properties) {
        if (!property.name) continue;
        const name = property.name.getText().replace(/['"]/g, '');
        names.push(name);
        const docs = ts
          .getJSDocCommentsAndTags(property)
          .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '');
        const text = docs.join(' ').replace(/\s+/g, ' ').trim();
        if (text) comments.set(name, text);
      }
      shapes.set(names.sort().join(','), comments);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return shapes;
}

function typeOf(node: Json): string {
  if (node.enum) return node.enum.map((v: unknown) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  const options = node.anyOf ?? node.oneOf;
  if (options) return options.map(typeOf).join(' \\| ');
  if (node.type === 'array') return `${typeOf(node.items ?? {})}[]`;
  if (node.type === 'object' && node.additionalProperties && !node.properties) {
    return `map of ${typeOf(node.additionalProperties)}`;
  }
  if (node.type === 'integer') {
    // zod bounds every int by the safe integer range: only the bounds the schema chose are news.
    const max = node.maximum === Number.MAX_SAFE_INTEGER ? undefined : node.maximum;
    const min = node.minimum === Number.MIN_SAFE_INTEGER ? undefined : node.minimum;
    // An integer above n is one of n + 1 or more.
    const low = min ?? (node.exclusiveMinimum !== undefined ? node.exclusiveMinimum + 1 : undefined);
    if (low === undefined && max === undefined) return 'integer';
    if (max === undefined) return `integer ≥ ${low}`;
    return `integer ${low ?? ''}…${max}`;
  }
  if (node.format === 'uri') return 'URL';
  return node.type ?? 'any';
}

function defaultOf(node: Json): string {
  if (node.default === undefined) return '';
  const text = JSON.stringify(node.default);
  return text.length > 60 ? '(see below)' : `\`${text}\``;
}

/** The object a property holds, if any: itself, an array's items, a map's values. */
function objectWithin(node: Json): { node: Json; suffix: string } | null {
  if (node.type === 'object' && node.properties) return { node, suffix: '' };
  if (node.type === 'array' && node.items?.properties) return { node: node.items, suffix: '[]' };
  if (node.type === 'object' && node.additionalProperties?.properties) {
    return { node: node.additionalProperties, suffix: '.<name>' };
  }
  for (const option of node.anyOf ?? []) {
    const found = objectWithin(option);
    if (found) return found;
  }
  return null;
}

export function configReference(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Json;
  const shapes = commentsByShape();
  const sections: { path: string; rows: Row[] }[] = [];
  const walk = (node: Json, path: string) => {
    const comments = shapes.get(Object.keys(node.properties).sort().join(',')) ?? new Map<string, string>();
    const rows: Row[] = [];
    const nested: [Json, string][] = [];
    for (const [name, child] of Object.entries<Json>(node.properties)) {
      const key = path ? `${path}.${name}` : name;
      const within = objectWithin(child);
      rows.push({
        key: name,
        type:
          within && !child.anyOf
            ? within.suffix === '[]'
              ? 'list of objects'
              : within.suffix
                ? 'map of objects'
                : 'object'
            : typeOf(child),
        default: defaultOf(child),
        env: KEY_ENV[key.replace(/\[\]|\.<name>/g, '')] ?? '',
        description: comments.get(name) ?? '',
      });
      if (within) nested.push([within.node, key + within.suffix]);
    }
    sections.push({ path, rows });
    for (const [child, childPath] of nested) walk(child, childPath);
  };
  walk(schema, '');
  const table = (rows: Row[]) =>
    [
      '| key | type | default | env | description |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map((r) =>
        `| \`${r.key}\` | ${r.type} | ${r.default} | ${r.env ? `\`${r.env.replace(/ \(/, '` (')}${r.env.includes('(') ? '' : '`'}` : ''} | ${r.description.replace(/\|/g, '\\|')} |`.replace(
          /``/g,
          '`',
        ),
      ),
    ].join('\n');
  return [
    '<!-- Generated by `npm run docs` from src/config/config-schema.ts; do not edit by hand. -->',
    '# Configuration reference',
    '',
    'The gateway reads one object: the config file (`RGW_CONFIG`, YAML or JSON, default',
    '`./gateway.config.yaml` if present), then environment variables over it, then command-line flags',
    'over both. Every key is optional; unknown keys are an error. Durations are milliseconds, sizes bytes.',
    '',
    '## Variables that add a provider',
    '',
    '| variable | effect |',
    '| --- | --- |',
    ...PROVIDER_ENV.map(([name, effect]) => `| \`${name.split(', ').join('`, `')}\` | ${effect} |`),
    '',
    ...sections.flatMap(({ path, rows }) => [path ? `## \`${path}\`` : '## Top level', '', table(rows), '']),
  ].join('\n');
}
