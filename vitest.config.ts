import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Three projects, so that a run can pick by what a test checks (`npm test -- --project NAME`):
 * - `template`: the packaged CloudFormation template, read as a file (its global setup
 *   packages the service in each stage shape once);
 * - `faults`: the seeded fault-injection suites, which drive the pipeline's and the client's
 *   code paths hundreds of times under injected errors, kills and bursts;
 * - `runtime`: everything else, the code running on the Node that runs the tests.
 * `npm test` runs all three. `.ci/run` runs all three on Node 22 and `runtime` on Node 24.
 */
const FAULTS = [
  'test/faults/**/*.test.ts',
  'test/clients/client-faults.test.ts',
  'test/clients/repeated-crashes.test.ts',
];
const TEMPLATE = ['test/template/**/*.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/build-folders-cleanup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of the suite's time is waiting (stacks in child processes, a browser, timers on a
    // scaled clock), and vitest's default is one worker less than the cores: a single worker
    // on 2 cores. One worker more than the cores overlaps the waits: on 2 cores the suite took
    // 288 s with the default and 186 s with 3 workers.
    maxWorkers: availableParallelism() + 1,
    projects: [
      {
        extends: true,
        test: { name: 'template', include: TEMPLATE, globalSetup: ['test/global-setup.ts'] },
      },
      { extends: true, test: { name: 'faults', include: FAULTS } },
      {
        extends: true,
        test: { name: 'runtime', include: ['test/**/*.test.ts'], exclude: [...TEMPLATE, ...FAULTS] },
      },
    ],
  },
});
