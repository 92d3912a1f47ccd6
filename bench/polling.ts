/**
 * npm run bench:polling — what tracking a job costs, measured by running the real state
 * machine (statemachines/track-optimization-job.asl.json) with the local runner on a virtual
 * clock: Waits and retry intervals advance the clock instead of sleeping, and the SDK clients
 * talk in-process to the local stack's SageMaker emulator, EventBridge bus and Step Functions
 * service (harness/local-aws.ts), as the tests do. The naive Wait→Describe→Choice loop
 * (bench/naive-polling.asl.json) runs the same jobs side by side.
 *
 * Each sample is a job of the nominal length scaled by a uniform factor in (0.9, 1], so the
 * moment it ends falls anywhere between two polls; detection latency is the time from that
 * moment to the terminal event's put. Counting rules: local/stepfunctions/accounting.ts.
 * Method and figures: docs/benchmarks.md, "Polling".
 */

import { readFileSync } from 'node:fs';
import type { LocalAws } from '../harness/local-aws';
import { startTracker, trackingInput, trackJob } from '../harness/tracker-on-local-aws';
import type { ExecutionReport } from '../local/stepfunctions';
import { virtualClock } from '../local/time/clock';
import { MAX_RUNTIME_MAX_SECONDS } from '../src/sagemaker-api/limits';

const USD_PER_TRANSITION = 0.025 / 1000;
// The check function per poll: a request plus 100 ms at 256 MB on arm64 (assumed, not measured).
const USD_PER_CHECK = 0.2 / 1e6 + 0.25 * 0.1 * 0.0000133334;

const LENGTHS = [
  { label: '10 min', seconds: 600, samples: 200 },
  { label: '1 h', seconds: 3600, samples: 100 },
  { label: '6 h', seconds: 6 * 3600, samples: 20 },
  // The stage's default MaxRuntimeInSeconds (36,000 s): a job that runs to it.
  { label: '10 h', seconds: 36_000, samples: 10 },
  // Polls are evenly spaced whatever the length, so the latency spread is the shorter jobs';
  // two samples show the continuations and the history per execution.
  { label: '28 d', seconds: 28 * 86_400, samples: 2 },
];

/** A seeded generator (mulberry32), so every run prints the same figures; too small for a dependency. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Sample {
  jobSeconds: number;
  /** Hours into the job when an execution failed (the naive loop hits the history cap). */
  failedAtHours?: number;
  transitions: number;
  checks: number;
  executions: number;
  largestHistory: number;
  latencySeconds: number;
}

interface Design {
  label: string;
  run(jobName: string, jobSeconds: number, random: () => number): Promise<Sample>;
}

const T0 = new Date('2026-01-01T00:00:00.000Z');

const NAIVE = {
  name: 'naive-polling',
  definition: readFileSync(new URL('./naive-polling.asl.json', import.meta.url), 'utf8'),
};

/** A job that starts running 60 s after creation and ends `jobSeconds` after it. */
async function setUp(jobName: string, jobSeconds: number, random: () => number) {
  const clock = virtualClock(T0.getTime());
  const local = await startTracker({ clock, random, others: [NAIVE] });
  await local.createJob({
    name: jobName,
    endsAfterSeconds: jobSeconds,
    maxRuntimeInSeconds: MAX_RUNTIME_MAX_SECONDS,
  });
  return { local, endsAt: new Date(T0.getTime() + jobSeconds * 1000) };
}

function measure(local: LocalAws, endsAt: Date, jobSeconds: number, reports: ExecutionReport[]): Sample {
  const counts = {
    jobSeconds,
    transitions: reports.reduce((sum, r) => sum + r.billedTransitions, 0),
    checks: reports.reduce((sum, r) => sum + r.attempts.filter((a) => a.state === 'CheckJob').length, 0),
    executions: reports.length,
    largestHistory: Math.max(...reports.map((r) => r.historyEvents)),
  };
  const failed = reports.find((r) => r.status !== 'SUCCEEDED');
  if (failed) {
    return {
      ...counts,
      failedAtHours: (failed.stopTime.getTime() - T0.getTime()) / 3_600_000,
      latencySeconds: Number.POSITIVE_INFINITY,
    };
  }
  const terminal = local.putEvents().find((e) => e.detailType !== 'Model Optimization Started');
  if (!terminal) throw new Error('tracking ended without a terminal event');
  return { ...counts, latencySeconds: (terminal.at.getTime() - endsAt.getTime()) / 1000 };
}

/** Runs one sample on fresh emulators, and closes them. */
async function sample(
  jobName: string,
  jobSeconds: number,
  random: () => number,
  run: (local: LocalAws) => Promise<ExecutionReport[]>,
): Promise<Sample> {
  const { local, endsAt } = await setUp(jobName, jobSeconds, random);
  try {
    return measure(local, endsAt, jobSeconds, await run(local));
  } finally {
    await local.close();
  }
}

const tracker: Design = {
  label: 'check function + Retry (this design)',
  run: (jobName, jobSeconds, random) =>
    sample(jobName, jobSeconds, random, (local) =>
      trackJob(local, trackingInput(jobName, { maxRuntimeInSeconds: MAX_RUNTIME_MAX_SECONDS })),
    ),
};

function naiveLoop(pollSeconds: number): Design {
  return {
    label: `aws-sdk loop: Wait ${pollSeconds} s → Describe → Choice`,
    run: (jobName, jobSeconds, random) =>
      sample(jobName, jobSeconds, random, (local) =>
        local.runChain(NAIVE.name, jobName, { ...trackingInput(jobName), pollSeconds }),
      ),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  // The naive loop at 30 s, and the same loop slowed to the latency budget for comparison.
  const designs = [tracker, naiveLoop(30), naiveLoop(60)];
  const rows: string[] = [
    '| job | design | executions | billed transitions | per job-hour | detection p50 | detection p95 | history events (largest execution) | USD per job |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const started = Date.now();
  for (const length of LENGTHS) {
    for (const design of designs) {
      const random = seeded(length.seconds);
      const samples: Sample[] = [];
      for (let i = 0; i < length.samples; i++) {
        const jobSeconds = Math.round(length.seconds * (1 - 0.1 * random()));
        samples.push(await design.run(`bench-${i}`, jobSeconds, random));
        process.stderr.write(
          `\r${length.label.padEnd(6)} ${design.label.padEnd(42)} ${i + 1}/${length.samples}  (${Math.round((Date.now() - started) / 1000)} s)   `,
        );
      }
      process.stderr.write('\n');
      const latencies = samples.map((s) => s.latencySeconds).sort((a, b) => a - b);
      const transitions = mean(samples.map((s) => s.transitions));
      // Per hour tracked: a loop that fails at the history cap stops tracking there.
      const perHour = mean(
        samples.map((s) => s.transitions / Math.min(s.jobSeconds / 3600, s.failedAtHours ?? Infinity)),
      );
      const history = Math.max(...samples.map((s) => s.largestHistory));
      const usd = mean(samples.map((s) => s.transitions * USD_PER_TRANSITION + s.checks * USD_PER_CHECK));
      const failedAt = samples.find((s) => s.failedAtHours !== undefined)?.failedAtHours;
      const latency = (p: number) =>
        failedAt === undefined ? `${fmt(percentile(latencies, p))} s` : 'never';
      const historyNote =
        failedAt === undefined ? '' : ` (the cap: fails after ${fmt(failedAt, 1)} h, job untracked)`;
      rows.push(
        `| ${length.label} | ${design.label} | ${fmt(mean(samples.map((s) => s.executions)), 1)} | ${fmt(transitions)} | ${fmt(perHour, 1)} | ${latency(50)} | ${latency(95)} | ${fmt(history)}${historyNote} | ${fmt(usd, 4)} |`,
      );
    }
  }
  process.stdout.write(
    `\nSamples per job length: ${LENGTHS.map((l) => `${l.label} ${l.samples}`).join(', ')}; seeded, so runs repeat.\n\n${rows.join('\n')}\n`,
  );
}

await main();
