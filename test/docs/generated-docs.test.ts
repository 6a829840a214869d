/** The generated docs pages match the code they come from (else: `npm run docs`). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEY_ENV, LOAD_CONFIG_SOURCE, PROVIDER_ENV } from '../../scripts/docs/config-reference.js';
import { GENERATED_DOCS } from '../../scripts/docs/generated-docs.js';

describe('generated docs', () => {
  it.each(Object.keys(GENERATED_DOCS))('%s is up to date (else: npm run docs)', (path) => {
    const committed = readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
    expect(committed, `${path} is stale: run \`npm run docs\``).toBe(GENERATED_DOCS[path]!());
  });

  it('names every environment variable the config loader reads', () => {
    const read = new Set(readFileSync(LOAD_CONFIG_SOURCE, 'utf8').match(/(?<=env\.)[A-Z_]+/g));
    const documented = [...Object.values(KEY_ENV), ...PROVIDER_ENV.map(([names]) => names)].join(' ');
    expect([...read].filter((name) => !documented.includes(name))).toEqual([]);
  });
});
