/**
 * npm run bench:clients — a soak of client faults: for N minutes the local stack (a child
 * process) takes generated requests to every operation (harness/request-fuzzer.ts) and uploads
 * dropped mid-request (harness/dropped-uploads.ts), beside a steady stream of real drops.
 * Prints requests per operation, answers by code, the stack's RSS and open files over time,
 * and drops started versus completed. Fails (exit 1) on an internal error, a stack that died,
 * or a drop not ended in exactly one terminal event (harness/drop-audit.ts). Method and
 * figures: docs/reliability.md, "Soak".
 *
 *   npm run bench:clients -- [--minutes 5] [--seed 1414] [--drop-every 5] [--speed 120]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { audit, settle } from '../harness/drop-audit';
import { ABORT_POINTS, abortedUpload, UPLOAD_KINDS } from '../harness/dropped-uploads';
import { fuzzContext } from '../harness/fuzz-context';
import { type Drop, dropModel } from '../harness/model-drops';
import { emptyTally, fuzzRequests, sendAll } from '../harness/request-fuzzer';
import { connect } from '../harness/stack-target';
import { type StackStats, startChildStack } from '../local/startup/child-stack';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1414' },
    'drop-every': { type: 'string', default: '5' },
    speed: { type: 'string', default: '120' },
  },
});
const minutes = Number(values.minutes);
const seed = Number(values.seed);
const dropEveryMs = Number(values['drop-every']) * 1000;
const speed = Number(values.speed);
/** Requests per fuzz batch; each batch has its own seed (seed, seed + 1, …). */
const BATCH = 500;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)}`;
const clock = (ms: number) =>
  `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dataDir = join(mkdtempSync(join(tmpdir(), 'mop-soak-')), 'data');
const stack = await startChildStack({
  dataDir,
  speed,
  functionEnvironment: { TRACKING_FIRST_POLL_DELAY_SECONDS: '60', TRACKING_POLL_INTERVAL_SECONDS: '30' },
  env: { LOCAL_FUNCTION_LOG_LEVEL: 'SILENT' },
});
const context = await fuzzContext(stack.endpoint);
const target = await connect(stack.endpoint, join(dataDir, 'events.jsonl'));
console.error(
  `bench:clients: ${minutes} min, seed ${seed}, a drop every ${dropEveryMs / 1000} s, clock ×${speed}; stack log ${stack.logPath}`,
);

const started = Date.now();
const until = started + minutes * 60_000;
const running = () => Date.now() < until && stack.isRunning();
const tally = emptyTally();
const samples: { at: number; stats: StackStats }[] = [];
const drops: Drop[] = [];
let dropFailures = 0;
let aborts = 0;

const sample = async () => {
  try {
    samples.push({ at: Date.now() - started, stats: await stack.stats() });
  } catch {
    // the stack is gone; reported below
  }
};
await sample();

await Promise.all([
  // Generated requests, a batch of BATCH at a time. PurgeQueue would empty the upload queue
  // under the real drops, so it is left out here (the test suite sends it).
  (async () => {
    for (let batch = 0; running(); batch++) {
      const requests = fuzzRequests(context, {
        seed: seed + batch,
        count: BATCH,
        exclude: (op) => op.name === 'PurgeQueue',
      });
      await sendAll(stack.endpoint, requests, 4, tally);
    }
  })(),
  // Uploads dropped mid-request, of every kind and at every point.
  (async () => {
    const body = Buffer.alloc(1 << 20, 7);
    for (let i = 0; running(); i++) {
      const kind = UPLOAD_KINDS[i % UPLOAD_KINDS.length] as (typeof UPLOAD_KINDS)[number];
      const point = ABORT_POINTS[
        Math.floor(i / UPLOAD_KINDS.length) % ABORT_POINTS.length
      ] as (typeof ABORT_POINTS)[number];
      await abortedUpload(
        { endpoint: stack.endpoint, bucket: context.bucket },
        kind,
        point,
        `models/soak-abort-${i}.tar.gz`,
        body,
        i % 2 ? 'reset' : 'close',
      ).catch(() => undefined);
      aborts += 1;
    }
  })(),
  // Real drops at a steady pace.
  (async () => {
    for (let i = 0; running(); i++) {
      const next = started + (i + 1) * dropEveryMs;
      try {
        drops.push(await dropModel(target, `soak-${String(i).padStart(4, '0')}`));
      } catch {
        dropFailures += 1;
      }
      await sleep(Math.max(0, next - Date.now()));
    }
  })(),
  // RSS and open files, every 10 s.
  (async () => {
    while (running()) {
      await sleep(10_000);
      await sample();
      const last = samples.at(-1);
      if (last)
        console.error(
          `  ${clock(last.at)}  requests ${tally.sent}  aborts ${aborts}  drops ${drops.length}  rss ${mib(last.stats.rss)} MiB  heap ${mib(last.stats.heapUsed)} MiB  open files ${last.stats.openFiles}  internal errors ${last.stats.internalErrors}`,
        );
    }
  })(),
]);

// Let the last drops end (they were acknowledged; each is owed its events), then audit them.
if (stack.isRunning()) await settle(target, drops, 'soak-', 120_000);
await sample();
const row = stack.isRunning() ? await audit(target, 'soak', drops, 'soak-') : undefined;
const problems = row?.problems ?? ['the stack died'];
const events = target.events();
const count = (type: (detailType: string) => boolean) =>
  drops.filter((d) => events.some((e) => e.detail.jobName === d.jobName && type(e['detail-type']))).length;
const dropsStarted = count((type) => type === 'Model Optimization Started');
const dropsEnded = count((type) => type !== 'Model Optimization Started');
const last = samples.at(-1)?.stats;
const alive = stack.isRunning();
target.destroy();
await stack.stop();

const byOperation = [...tally.byOperation].sort((a, b) => a[0].localeCompare(b[0]));
const byAnswer = [...tally.byAnswer].sort((a, b) => b[1] - a[1]);
console.log(`
Client-fault soak: ${minutes} min, seed ${seed} (batches ${seed}…), clock ×${speed}, local stack in a child process

Drops: ${drops.length} acknowledged (${dropFailures} PUTs failed), ${dropsStarted} started, ${dropsEnded} ended; lost ${row?.lost ?? '?'}, duplicated ${row?.duplicated ?? '?'}, orphaned ${row?.orphaned ?? '?'}
Generated requests: ${tally.sent} (${tally.failures.length} 5xx or unanswered); aborted uploads: ${aborts}
Stack: ${alive ? 'up' : 'DEAD'} at the end, internal errors ${last?.internalErrors ?? '?'}, clients gone mid-request ${last?.s3.clientsGone ?? '?'}

Per minute, lowest and highest of the samples (every 10 s). The heap's lowest is what it
returns to after a collection: a leak shows as a rising floor. RSS keeps pages V8 has freed.

| minute | RSS (MiB) | heap (MiB) | open files |
|--:|--:|--:|--:|
${perMinute(samples)
  .map(
    ({ minute, rss, heap, files }) =>
      `| ${minute} | ${mib(rss[0])}–${mib(rss[1])} | ${mib(heap[0])}–${mib(heap[1])} | ${files[0]}–${files[1]} |`,
  )
  .join('\n')}

| operation | requests |
|---|--:|
${byOperation.map(([op, n]) => `| ${op} | ${n} |`).join('\n')}

| answer | count |
|---|--:|
${byAnswer.map(([answer, n]) => `| ${answer} | ${n} |`).join('\n')}
`);
for (const problem of problems.slice(0, 20)) console.log(`  ✗ ${problem}`);
const ok = alive && last?.internalErrors === 0 && problems.length === 0 && tally.failures.length === 0;
process.exit(ok ? 0 : 1);

/** Lowest and highest RSS, heap and open files of the samples in each minute (0 is the start). */
function perMinute(all: { at: number; stats: StackStats }[]) {
  const range = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];
  const minutes = new Map<number, StackStats[]>();
  for (const { at, stats } of all) {
    const minute = Math.ceil(at / 60_000);
    minutes.set(minute, [...(minutes.get(minute) ?? []), stats]);
  }
  return [...minutes].map(([minute, stats]) => ({
    minute,
    rss: range(stats.map((s) => s.rss)),
    heap: range(stats.map((s) => s.heapUsed)),
    files: range(stats.map((s) => s.openFiles ?? 0)),
  }));
}
