/**
 * Repeated crashes: drops keep arriving while the stack (a child process) is killed with
 * SIGKILL and restarted on its state, again and again, at moments drawn from a seed. Every
 * acknowledged PUT must end in exactly one Started and exactly one terminal event: a resumed
 * execution must not repeat a put it had already made. The seed is printed with any failure;
 * `CRASH_SEEDS=7,8 npx vitest run test/clients/repeated-crashes.test.ts` replays seeds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type AcknowledgedDrop, exactlyOnceProblems, putDrop, tallyEvents } from '../../bench/clients/drops';
import { type ChildStack, startChildStack } from '../../local/child-stack';
import { findModelsBuckets } from '../../src/cli/find-bucket';

const SEEDS = (process.env.CRASH_SEEDS ?? '1401,1402,1403').split(',').map(Number);
const KILLS = 5;
const DROPS = 12;
const SPEED = 400;
/** As the fault suite: short tracking and one SDK attempt per call (docs/reliability.md). */
const FUNCTION_ENV = {
  TRACKING_FIRST_POLL_DELAY_SECONDS: '30',
  TRACKING_POLL_INTERVAL_SECONDS: '10',
  TRACKING_TIMEOUT_GRACE_SECONDS: '30',
  QUOTA_BACKOFF_MAX_SECONDS: '60',
  AWS_MAX_ATTEMPTS: '1',
};
const STACK_ENV = {
  LOCAL_FUNCTION_LOG_LEVEL: 'SILENT',
  LOCAL_SAGEMAKER_STARTING_SECONDS: '30',
  LOCAL_SAGEMAKER_INPROGRESS_SECONDS: '60',
  LOCAL_SAGEMAKER_STOPPING_SECONDS: '20',
};

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
    it(`ends every acknowledged PUT in exactly one Started and one terminal event (seed ${seed})`, async () => {
      const schedule = scheduleOf(seed);
      const dataDir = join(mkdtempSync(join(tmpdir(), `mop-crash-${seed}-`)), 'data');
      const eventsLog = join(dataDir, 'events.jsonl');
      const options = { dataDir, speed: SPEED, functionEnvironment: FUNCTION_ENV, env: STACK_ENV };
      let stack: ChildStack = await startChildStack(options);
      const config = {
        endpoint: stack.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
        maxAttempts: 1,
      };
      const s3 = new S3Client({ ...config, forcePathStyle: true });
      const sfn = new SFNClient(config);
      const [bucket = ''] = await findModelsBuckets(s3, 'local', 'us-east-1');
      const acknowledged: AcknowledgedDrop[] = [];
      let kills = 0;
      try {
        // A client that retries a failed PUT (the same object again) until S3 acknowledges it.
        const dropper = (async () => {
          for (const [i, gap] of schedule.dropGapsMs.entries()) {
            await sleep(gap);
            for (;;) {
              try {
                acknowledged.push(await putDrop(s3, bucket, `crash-${seed}-${i}`));
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
        await settled(stack, sfn, eventsLog, acknowledged);

        const problems = exactlyOnceProblems(tallyEvents(eventsLog), acknowledged);
        const owed = problems.filter((p) => !p.includes('unacknowledged')).length;
        rows.push(
          `| drops arriving while the stack is killed (SIGKILL) ${kills}× and restarted (seed ${seed}) | ${acknowledged.length} | ${acknowledged.length - owed} | ${problems.length} |`,
        );
        const report = `seed ${seed}: ${acknowledged.length} acknowledged drops, ${kills} kills\n${problems.join('\n')}`;
        if (problems.length > 0) console.error(`repeated crashes failed, ${report}`);
        expect(problems, report).toEqual([]);
        expect(kills).toBeGreaterThanOrEqual(KILLS);
        expect(acknowledged).toHaveLength(DROPS);
      } finally {
        s3.destroy();
        sfn.destroy();
        await stack.stop();
      }
    });
  }
});

/** Until every acknowledged drop has its terminal event and nothing runs or waits (or 90 s pass). */
async function settled(stack: ChildStack, sfn: SFNClient, eventsLog: string, drops: AcknowledgedDrop[]) {
  const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
  const stateMachineArn = stateMachines?.[0]?.stateMachineArn;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const tally = tallyEvents(eventsLog);
    const ended = drops.every((d) => tally.terminal.has(d.jobName));
    if (ended) {
      const queues = await stack.admin<Record<string, { total: number }>>('GET', '/_local/queues');
      const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
      const waiting = Object.entries(queues).some(([name, q]) => !/DeadLetter/.test(name) && q.total > 0);
      if (!waiting && (running.executions ?? []).length === 0) return;
    }
    await sleep(200);
  }
}
