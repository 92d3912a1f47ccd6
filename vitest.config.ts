import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of the suite's time is waiting (stacks in child processes, a browser, timers on a
    // scaled clock), and vitest's default is one worker less than the cores: a single worker
    // on 2 cores. One worker more than the cores overlaps the waits: on 2 cores the suite took
    // 288 s with the default and 186 s with 3 workers.
    maxWorkers: availableParallelism() + 1,
  },
});
