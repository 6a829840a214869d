/**
 * `${VAR}` and `${VAR:-default}` in a config file's string values, replaced from the environment
 * after parsing (so a value never changes the YAML's structure). `$${` stands for a literal `${`.
 * A variable that is unset (or empty, for `:-`) without a default is an error naming where it is.
 */
import { ConfigError } from './config-error.js';

type Env = Record<string, string | undefined>;

const PLACEHOLDER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(value: unknown, env: Env, path = ''): unknown {
  if (typeof value === 'string') {
    const text = interpolateString(value, env, path);
    // A value that is one placeholder takes the type its text reads as: `rpm: ${RPM:-60}` is a number.
    return text !== value && WHOLE.test(value) ? scalar(text) : text;
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = interpolateEnv(item, env, path === '' ? key : `${path}.${key}`);
    }
    return out;
  }
  return value;
}

const WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

function scalar(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function interpolateString(text: string, env: Env, path: string): string {
  if (!text.includes('${')) return text;
  return text.replace(PLACEHOLDER, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const set = env[name!];
    if (set !== undefined && (fallback === undefined || set !== '')) return set;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(
      `Invalid configuration: ${path || '(root)'}: environment variable ${name} is not set (write \${${name}:-default} for a default).`,
    );
  });
}
