/** `npx tsx bench/retrieval/run-retrieval.ts [--quick]`: the retrieval benchmarks alone. */
import { parseArgs } from 'node:util';
import { FULL_RETRIEVAL, measureRetrieval, QUICK_RETRIEVAL, renderRetrieval } from './measure-retrieval.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const report = await measureRetrieval(values.quick ? QUICK_RETRIEVAL : FULL_RETRIEVAL, (line) =>
  console.error(`[bench] ${line}`),
);
console.log(renderRetrieval(report));
console.log(JSON.stringify(report, null, 2));
