/**
 * npm run bench:burst — 1,000 drops at once against a quota of 5 concurrent jobs, on the local
 * stack in a child process with a compressed clock. Every drop must end in exactly one terminal
 * event; prints wall time, the deepest the upload queue got and the stack's peak memory.
 * Progress goes to stderr. Method and figures: docs/benchmarks.md, "Burst".
 *
 *   npm run bench:burst -- [--drops 1000] [--quota 5] [--speed 1000]
 */
import { parseArgs } from 'node:util';
import { runBurst } from './burst/run-burst';

const { values } = parseArgs({
  options: {
    drops: { type: 'string', default: '1000' },
    quota: { type: 'string', default: '5' },
    speed: { type: 'string', default: '1000' },
  },
});
const drops = Number(values.drops);
const quota = Number(values.quota);
const speed = Number(values.speed);
/** Jobs as the local stack runs them by default: 1 min starting, 10 min running. */
const durations = { startingSeconds: 60, inProgressSeconds: 600, stoppingSeconds: 30 };
/** The stage defaults, except polling: every 60 s from the start (a 300 s first delay changes nothing here). */
const functionEnvironment = { TRACKING_FIRST_POLL_DELAY_SECONDS: '60' };

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const clock = (ms: number) =>
  `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

console.error(
  `bench:burst: ${drops} drops, quota ${quota}, clock ×${speed}, jobs ${durations.startingSeconds} + ${durations.inProgressSeconds} s`,
);
const result = await runBurst({
  drops,
  quota,
  speed,
  durations,
  functionEnvironment,
  timeoutMs: 30 * 60_000,
  onProgress: (p) =>
    console.error(
      `  ${clock(p.elapsedMs)}  dropped ${p.dropped}  started ${p.started}  ended ${p.ended}  queue ${p.queueDepth}  rss ${mib(p.rss)} (heap ${mib(p.heapUsed)})`,
    ),
});

const { row } = result;
console.log(`
Burst: ${drops} drops, quota ${quota} concurrent jobs, clock ×${speed} (local stack in a child process)

| drops | ended | lost | duplicated | orphaned | events | wall time | simulated | max upload-queue depth | peak RSS (getrusage) | peak RSS (sampled) |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
| ${row.drops} | ${row.drops - row.lost} | ${row.lost} | ${row.duplicated} | ${row.orphaned} | ${row.events} | ${(result.wallMs / 1000).toFixed(0)} s | ${(result.simulatedSeconds / 3600).toFixed(1)} h | ${result.maxQueueDepth} | ${mib(result.maxRss)} | ${mib(result.peakRssSampled)} |
`);
for (const problem of row.problems.slice(0, 20)) console.log(`  ✗ ${problem}`);
if (row.problems.length > 20) console.log(`  … and ${row.problems.length - 20} more`);
process.exit(row.problems.length === 0 && row.lost === 0 && row.duplicated === 0 ? 0 : 1);
