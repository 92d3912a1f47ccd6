/**
 * Debian's Chromium driven by playwright-core, for the browser tests. Never a downloaded
 * browser build: without /usr/bin/chromium the tests fail and say how to install it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests put their screenshots (gitignored). */
export const TEST_OUTPUT = new URL('../../test-output/', import.meta.url).pathname;

/** A folder under test-output/ for one test file's screenshots, created empty of nothing. */
export function outputFolder(name: string): string {
  const folder = join(TEST_OUTPUT, name);
  mkdirSync(folder, { recursive: true });
  return folder;
}

/**
 * Launches headless Chromium with a fresh profile. The flags keep it off the network (this
 * machine has none but loopback, and Chromium's background requests would be refused) and out
 * of the sandbox (root in CI). `extraArgs`, e.g. `--host-resolver-rules`, go last.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `the browser tests need Debian's Chromium at ${CHROMIUM_PATH}: run \`apt-get update && apt-get install -y chromium\` (.ci/run does); never \`npx playwright install\``,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
