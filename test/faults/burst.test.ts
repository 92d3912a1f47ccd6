/**
 * A burst on the local stack (in a child process): 100 drops at once against a quota of 5
 * concurrent jobs. The 1,000-drop run with figures is `npm run bench:burst`
 * (docs/benchmarks.md, "Burst"); this one only holds the guarantees, not the timing.
 */
import { describe, expect, it } from 'vitest';
import { runBurst } from '../../bench/burst/run-burst';

/** `npm run test:faults` makes it larger. */
const DROPS = Number(process.env.FAULT_SUITE_BURST_DROPS ?? 100);

describe('a burst of drops against a small job quota (local stack)', () => {
  it(
    `ends each of ${DROPS} drops in exactly one terminal event, with none lost or duplicated`,
    async () => {
      const result = await runBurst({
        drops: DROPS,
        quota: 5,
        speed: 1000,
        durations: { startingSeconds: 30, inProgressSeconds: 60, stoppingSeconds: 20 },
        functionEnvironment: {
          TRACKING_FIRST_POLL_DELAY_SECONDS: '30',
          TRACKING_POLL_INTERVAL_SECONDS: '10',
        },
        // Real time is only a bound here: the test waits for the drops, not for a pace. Under
        // load (two busy loops on 2 cores) a healthy stack paused more than 10 s, and a stall
        // cut-off counted 25 drops still queued as lost.
        timeoutMs: 2_400 * DROPS,
        stallMs: Number.POSITIVE_INFINITY,
      });

      expect(result.row.problems, result.row.problems.join('\n')).toEqual([]);
      expect(result.row).toMatchObject({
        drops: DROPS,
        lost: 0,
        duplicated: 0,
        orphaned: 0,
        events: 2 * DROPS,
      });
    },
    3_000 * DROPS,
  );
});
