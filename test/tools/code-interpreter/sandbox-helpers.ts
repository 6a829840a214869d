/** Sandbox settings small enough for tests to hit every limit fast. */

import type { FileReceiver } from '../../../src/tools/code-interpreter/kernel-process.js';
import {
  DEFAULT_SANDBOX,
  MIB,
  type SandboxSettings,
} from '../../../src/tools/code-interpreter/sandbox-settings.js';

export const TEST_SANDBOX: SandboxSettings = {
  ...DEFAULT_SANDBOX,
  memoryBytes: 512 * MIB,
  cpuSeconds: 30,
  maxProcesses: 32,
  maxFileBytes: 50 * MIB,
  diskBytes: 64 * MIB,
  tmpBytes: 64 * MIB,
  maxLogBytes: 64 * 1024,
};

/** Collects the files a reply carries. */
export function collectFiles(): FileReceiver & { files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  return {
    files,
    open(path) {
      const parts: Buffer[] = [];
      return {
        write: (chunk) => parts.push(Buffer.from(chunk)),
        end: () => files.set(path, Buffer.concat(parts)),
      };
    },
  };
}

/** The gateway's `codeSandbox` config with the same small limits, no warm kernels. */
export const TEST_CODE_SANDBOX = {
  memoryBytes: TEST_SANDBOX.memoryBytes,
  cpuSeconds: TEST_SANDBOX.cpuSeconds,
  maxProcesses: TEST_SANDBOX.maxProcesses,
  maxFileBytes: TEST_SANDBOX.maxFileBytes,
  diskBytes: TEST_SANDBOX.diskBytes,
  tmpBytes: TEST_SANDBOX.tmpBytes,
  callTimeoutMs: 2_000,
  warmKernels: 0,
};
