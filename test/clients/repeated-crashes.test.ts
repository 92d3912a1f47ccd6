/**
 * Repeated crashes: drops keep arriving while the stack (a child process) is killed with
 * SIGKILL and restarted on its state, again and again, at moments drawn from a seed. Every
 * version S3 stored must end in exactly one Started and exactly one terminal event: every
 * acknowledged PUT, and a version stored just before a kill and never answered (the client sends
 * it again, as a new version; the first is announced from the store's outbox at the restart).
 * Every job must belong to a stored version and be tracked by an execution that succeeded: a
 * resumed execution must not repeat a put it had already made. The seed is printed with any
 * failure; `CRASH_SEEDS=7,8 npx vitest run test/clients/repeated-crashes.test.ts` replays seeds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { audit, settle } from '../../harness/drop-audit';
import { FAST_JOB_ENV, FAST_PIPELINE_ENV } from '../../harness/fast-pipeline';
import { type Drop, dropModel, storedDrops } from '../../harness/model-drops';
import { connect } from '../../harness/stack-target';
import { type ChildStack, startChildStack } from '../../local/startup/child-stack';

const SEEDS = (process.env.CRASH_SEEDS ?? '1401,1402,1403').split(',').map(Number);
const KILLS = 5;
const DROPS = 12;
const SPEED = 400;

/** When to kill (real ms after each start) and when drops arrive (real ms between PUTs). */
const scheduleOf = (seed: number) =>
  fc.sample(
    fc.record({
      killAfterMs: fc.array(fc.integer({ min: 200, max: 2_500 }), { minLength: KILLS, maxLength: KILLS }),
      dropGapsMs: fc.array(fc.integer({ min: 0, max: 500 }), { minLength: DROPS, maxLength: DROPS }),
    }),
    { seed, numRuns: 1 },
  )[0] as { killAfterMs: number[]; dropGapsMs: number[] };

/** Rows of the client-fault table (docs/reliability.md): drops tried, ended exactly once, lost or duplicated. */
const rows: string[] = [];
afterAll(() => {
  if (rows.length > 0)
    console.log(
      `\nRepeated crashes:\n\n| client fault | tried | survived | lost |\n|---|--:|--:|--:|\n${rows.sort().join('\n')}\n`,
    );
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The seeds run side by side, each on its own stack: most of a run is waiting (for a kill's
// moment, for a restart), so together they take little longer than one.
describe.concurrent('drops while the stack is killed (SIGKILL) and restarted again and again', {
  timeout: 240_000,
}, () => {
  for (const seed of SEEDS) {
    it(`ends every stored PUT in exactly one Started and one terminal event (seed ${seed})`, async () => {
      const schedule = scheduleOf(seed);
      const dataDir = join(mkdtempSync(join(tmpdir(), `mop-crash-${seed}-`)), 'data');
      const options = {
        dataDir,
        speed: SPEED,
        functionEnvironment: FAST_PIPELINE_ENV,
        env: { LOCAL_FUNCTION_LOG_LEVEL: 'SILENT', ...FAST_JOB_ENV },
      };
      let stack: ChildStack = await startChildStack(options);
      // The same port across restarts: the target's SDK clients keep working.
      const target = await connect(stack.endpoint, join(dataDir, 'events.jsonl'));
      const prefix = `crash-${seed}-`;
      const acknowledged: Drop[] = [];
      let kills = 0;
      try {
        // A client that retries a failed PUT (the same object again) until S3 acknowledges it.
        const dropper = (async () => {
          for (const [i, gap] of schedule.dropGapsMs.entries()) {
            await sleep(gap);
            for (;;) {
              try {
                acknowledged.push(await dropModel(target, `${prefix}${i}`));
                break;
              } catch {
                await sleep(100);
              }
            }
          }
        })();
        for (const delay of schedule.killAfterMs) {
          await sleep(delay);
          await stack.kill();
          kills += 1;
          stack = await startChildStack({ ...options, port: stack.port, keepState: true });
        }
        await dropper;
        // What S3 stored: the acknowledged PUTs, and any the stack stored but was killed before
        // answering, which the client then sent again as a new version. Each ends exactly once.
        const stored = await storedDrops(target, prefix);
        const storedNames = new Set(stored.map((d) => d.jobName));
        expect(
          acknowledged.filter((d) => !storedNames.has(d.jobName)),
          'acknowledged but not stored',
        ).toEqual([]);
        await settle(target, stored, prefix, 90_000);

        const row = await audit(target, `seed ${seed}`, stored, prefix);
        rows.push(
          `| drops arriving while the stack is killed (SIGKILL) ${kills}× and restarted (seed ${seed}) | ${row.drops} | ${row.drops - row.lost - row.duplicated} | ${row.lost + row.duplicated} |`,
        );
        const unanswered = stored.length - acknowledged.length;
        const report = `seed ${seed}: ${acknowledged.length} acknowledged drops (+${unanswered} stored unanswered), ${kills} kills, ${row.lost} lost, ${row.duplicated} duplicated, ${row.orphaned} orphaned\n${row.problems.join('\n')}`;
        if (row.problems.length > 0) console.error(`repeated crashes failed, ${report}`);
        expect(row.problems, report).toEqual([]);
        expect(acknowledged).toHaveLength(DROPS);
        expect(row).toMatchObject({ lost: 0, duplicated: 0, orphaned: 0 });
        expect(kills).toBeGreaterThanOrEqual(KILLS);
      } finally {
        target.destroy();
        await stack.stop();
      }
    });
  }
});
