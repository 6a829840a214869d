/**
 * Request body validation: runs a zod schema and renders its first issue as an OpenAI-style 400
 * (`Unknown parameter: 'x'.`, `Invalid type for 'x': ...`, `Invalid value: 'x'. ...`), with `param`
 * in OpenAI's path notation (`input[0].content[1].image_url`).
 */

import type { z } from 'zod';
import { type GatewayError, invalidRequest } from '../errors.js';
import { type CreateResponseBody, createResponseBodySchema } from '../protocol/create-response.js';
import { EXPECTED_INTEGER, gatewayDetails } from '../protocol/issues.js';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Validate a `POST /v1/responses` body; throws a 400 GatewayError on the first problem. */
export function parseCreateResponseBody(body: unknown): CreateResponseBody {
  return parseRequestBody(createResponseBodySchema, body);
}

/** Validate any JSON request body against an object schema, rendering errors like OpenAI. */
export function parseRequestBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (!isObject(body)) {
    throw invalidRequest(
      `Invalid body: expected a JSON object, but got ${describeValue(body)} instead.`,
      null,
      'invalid_type',
    );
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  if (!first) throw invalidRequest('Invalid request body.', null, 'invalid_value');
  throw issueToError(first, body);
}

/** Render one zod issue; `root` is the parsed body, used to read the offending value. */
export function issueToError(issue: Issue, root: unknown): GatewayError {
  const path = issue.path;
  const param = formatPath(path);
  const value = valueAt(root, path);

  const details = gatewayDetails(issue);
  if (details) return invalidRequest(details.message(param), param || null, details.code);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const unknown = formatPath([...path, issue.keys[0] ?? '']);
      return invalidRequest(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
    }
    case 'invalid_type':
      if (value === undefined) return missing(param);
      return invalidType(param, expectedLabel(issue), value);
    case 'invalid_value':
      if (value === undefined) return missing(param);
      return invalidValue(param, issue.values, value);
    case 'invalid_union': {
      if (value === undefined) return missing(param);
      // A discriminated union whose discriminator matched no option: `path` ends at the discriminator.
      if (issue.discriminator !== undefined) {
        const options = (issue as { options?: readonly unknown[] }).options ?? [];
        return invalidValue(param, options, value);
      }
      return unionError(issue, root, param, value);
    }
    case 'too_big':
    case 'too_small':
      return sizeError(issue, param, value);
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern) {
        return invalidRequest(
          `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern ` +
            `'${regexSource(issue.pattern)}'.`,
          param,
          'invalid_value',
        );
      }
      return invalidRequest(`Invalid '${param}': invalid ${issue.format} format.`, param, 'invalid_value');
    case 'invalid_key':
    case 'invalid_element': {
      const inner = issue.issues[0];
      if (inner) return issueToError({ ...inner, path: [...path, ...inner.path] }, root);
      break;
    }
  }
  return invalidRequest(`Invalid value for '${param}'.`, param || null, 'invalid_value');
}

/**
 * A plain union: report the first branch whose type fits the value (its issue is then about
 * something deeper); if none fits, the value has the wrong type for all of them.
 */
function unionError(
  issue: z.core.$ZodIssueInvalidUnion,
  root: unknown,
  param: string,
  value: unknown,
): GatewayError {
  const fitting = issue.errors.find((branch) => branch[0] && !isTypeMismatch(branch[0], value));
  const inner = fitting?.[0];
  if (inner) return issueToError({ ...inner, path: [...issue.path, ...inner.path] }, root);

  const labels: string[] = [];
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    const label = first.code === 'invalid_type' ? expectedLabel(first) : 'a string';
    if (!labels.includes(label)) labels.push(label);
  }
  return invalidType(param, labels.length === 1 ? labels[0]! : `one of ${joinList(labels, 'or')}`, value);
}

/** The branch rejected the value itself for its type (not something inside it). */
function isTypeMismatch(issue: Issue, value: unknown): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  if (issue.code === 'invalid_value') return !issue.values.some((v) => typeof v === typeof value);
  return false;
}

function sizeError(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, param: string, value: unknown) {
  const big = issue.code === 'too_big';
  const limit = big ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum;
  switch (issue.origin) {
    case 'string': {
      const length = typeof value === 'string' ? value.length : 0;
      if (big) {
        return invalidRequest(
          `Invalid '${param}': string too long. Expected a string with maximum length ${limit}, ` +
            `but got a string with length ${length} instead.`,
          param,
          'string_above_max_length',
        );
      }
      if (length === 0) {
        return invalidRequest(
          `Invalid '${param}': empty string. Expected a string with minimum length ${limit}, ` +
            'but got an empty string instead.',
          param,
          'empty_string',
        );
      }
      return invalidRequest(
        `Invalid '${param}': string too short. Expected a string with minimum length ${limit}, ` +
          `but got a string with length ${length} instead.`,
        param,
        'string_below_min_length',
      );
    }
    case 'array': {
      const length = Array.isArray(value) ? value.length : 0;
      if (!big && length === 0) {
        return invalidRequest(
          `Invalid '${param}': empty array. Expected an array with minimum length ${limit}, ` +
            'but got an empty array instead.',
          param,
          'empty_array',
        );
      }
      const [word, bound, code] = big
        ? ['long', 'maximum', 'array_above_max_length']
        : ['short', 'minimum', 'array_below_min_length'];
      return invalidRequest(
        `Invalid '${param}': array too ${word}. Expected an array with ${bound} length ${limit}, ` +
          `but got an array with length ${length} instead.`,
        param,
        code,
      );
    }
    default: {
      const kind = issue.origin === 'int' ? 'integer' : 'decimal';
      const [where, op, code] = big
        ? ['above maximum', '<=', `${kind}_above_max_value`]
        : ['below minimum', '>=', `${kind}_below_min_value`];
      return invalidRequest(
        `Invalid '${param}': ${kind} ${where} value. Expected a value ${op} ${limit}, but got ${String(value)} instead.`,
        param,
        code,
      );
    }
  }
}

function missing(param: string): GatewayError {
  return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function invalidType(param: string, expected: string, value: unknown): GatewayError {
  return invalidRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${describeValue(value)} instead.`,
    param,
    'invalid_type',
  );
}

function invalidValue(param: string, allowed: readonly unknown[], value: unknown): GatewayError {
  const supported = allowed.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') {
    const expected = supported.length === allowed.length ? 'a string' : 'one of the supported values';
    return invalidType(param, expected, value);
  }
  return invalidRequest(
    `Invalid value: '${value}'. Supported values are: ${joinList(
      supported.map((v) => `'${v}'`),
      'and',
    )}.`,
    param,
    'invalid_value',
  );
}

function expectedLabel(issue: z.core.$ZodIssueInvalidType): string {
  if (issue.message === EXPECTED_INTEGER) return 'an integer';
  switch (issue.expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a decimal';
    case 'int':
    case 'bigint':
      return 'an integer';
    case 'boolean':
      return 'a boolean';
    case 'object':
    case 'record':
    case 'map':
      return 'an object';
    case 'array':
    case 'tuple':
    case 'set':
      return 'an array';
    case 'null':
      return 'null';
    default:
      return `a ${issue.expected}`;
  }
}

/** `a string`, `an integer`, `a decimal`, `a boolean`, `an object`, `an array` or `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a decimal';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}

/** `['input', 0, 'content', 1, 'image_url']` → `input[0].content[1].image_url`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`. */
function joinList(items: readonly string[], conjunction: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

/** zod stores regex patterns as `/source/flags`. */
function regexSource(pattern: string): string {
  const match = /^\/(.*)\/[a-z]*$/s.exec(pattern);
  return match?.[1] ?? pattern;
}
