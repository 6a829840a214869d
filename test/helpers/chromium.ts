/**
 * Headless Chromium for the browser tests: Debian's `chromium` package (`.ci/run` installs it),
 * driven by playwright-core through `executablePath` (`npx playwright install` cannot download
 * browsers here). `CHROMIUM_PATH` points at another binary.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  // The real binary: /usr/bin/chromium is a shell wrapper that adds flags we do not want.
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

export const CHROMIUM = CANDIDATES.find((path): path is string => path != null && existsSync(path));

/** Why the browser tests skip, when they do. */
export const NO_CHROMIUM_REASON =
  'no Chromium binary found (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped';

export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'playground');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM!,
    headless: true,
    // Root in a container has no user namespace sandbox; /dev/shm is small there.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export function screenshotPath(name: string): string {
  return join(ARTIFACTS, `${name}.png`);
}
