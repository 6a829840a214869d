/**
 * The load generator process: runs one scenario given as JSON in argv[2], tells the orchestrator
 * over IPC when its measured window starts, and sends the result. It runs apart from the servers
 * so that its own CPU is not counted against them.
 */
import { runChain } from './chain.js';
import { runClosedLoop } from './closed-loop.js';
import { runPacedStreams } from './paced-streams.js';
import type { LoadMessage, LoadResult, LoadSpec } from './spec.js';

const send = (message: LoadMessage) =>
  new Promise<void>((resolve, reject) => {
    if (!process.send) return reject(new Error('the load generator must be started with an IPC channel'));
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });

function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const measuring = () => void send({ type: 'measuring', cpuUs: cpuUs() });
  let result: LoadResult;
  switch (spec.kind) {
    case 'closed-loop':
      result = await runClosedLoop(spec, measuring);
      break;
    case 'streams':
      result = await runPacedStreams(spec, measuring);
      break;
    case 'chain':
      result = await runChain(spec);
      break;
  }
  await send({ type: 'result', result, cpuUs: cpuUs() });
  process.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
