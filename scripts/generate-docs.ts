/** `npm run docs`: writes the generated docs pages (a test fails when they are out of date). */
import { writeFileSync } from 'node:fs';
import { GENERATED_DOCS } from './docs/generated-docs.js';

for (const [path, generate] of Object.entries(GENERATED_DOCS)) {
  writeFileSync(new URL(`../${path}`, import.meta.url), generate());
  console.log(`wrote ${path}`);
}
