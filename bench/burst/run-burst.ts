/**
 * A burst of drops against a small job quota, on the local stack running in a child process
 * (so that its memory is its own): every drop must end in exactly one terminal event. Shared by
 * `npm run bench:burst` (1,000 drops) and the 100-drop test in test/faults/burst.test.ts.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditRow, audit, settle } from '../../harness/drop-audit';
import { type Drop, dropModel } from '../../harness/model-drops';
import { connect, type Target } from '../../harness/stack-target';
import { startChildStack } from '../../local/startup/child-stack';

export interface BurstOptions {
  drops: number;
  /** Concurrent-job quota of the SageMaker emulator. */
  quota: number;
  /** Simulated seconds per real second. */
  speed: number;
  /** Job phases, simulated seconds. */
  durations: { startingSeconds: number; inProgressSeconds: number; stoppingSeconds: number };
  /** Over the functions' environment (tracking schedule, quota backoff). */
  functionEnvironment: Record<string, string>;
  /** PUTs in flight at once. Default 16. */
  putConcurrency?: number;
  /** Real ms to wait for every drop to end. */
  timeoutMs: number;
  /**
   * Real ms with no drop ended and the upload queue empty after which the rest count as lost.
   * Default 10 s, which spares a benchmark the whole timeout; a test gives `Infinity`, since a
   * loaded machine can pause a healthy stack that long, and waits for `timeoutMs` instead.
   */
  stallMs?: number;
  onProgress?: (progress: BurstProgress) => void;
}

export interface BurstProgress {
  elapsedMs: number;
  dropped: number;
  started: number;
  ended: number;
  queueDepth: number;
  rss: number;
  heapUsed: number;
}

export interface BurstResult {
  row: AuditRow;
  /** Real ms from the first PUT to the last terminal event. */
  wallMs: number;
  /** Most messages on the upload queue at once (visible, in flight or delayed). */
  maxQueueDepth: number;
  /** Highest RSS of the stack process among the samples (every 500 ms real), bytes. */
  peakRssSampled: number;
  /** The stack process's own peak RSS (getrusage maxRSS, via /_local/stats), bytes. */
  maxRss: number;
  /** Simulated seconds the burst took on the stack's clock. */
  simulatedSeconds: number;
}

const UPLOAD_QUEUE = 'model-optimization-pipeline-local-UploadQueue';
const TERMINAL = /^Model (Optimization (Completed|Failed|Stopped)|Upload Rejected)$/;

/** Runs the burst; resolves with the audit and the figures, whatever the outcome. */
export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'mop-burst-')), 'data');
  const stack = await startChildStack({
    dataDir,
    speed: options.speed,
    functionEnvironment: options.functionEnvironment,
    env: {
      LOCAL_FUNCTION_LOG_LEVEL: 'SILENT',
      LOCAL_SAGEMAKER_MAX_CONCURRENT_JOBS: String(options.quota),
      LOCAL_SAGEMAKER_STARTING_SECONDS: String(options.durations.startingSeconds),
      LOCAL_SAGEMAKER_INPROGRESS_SECONDS: String(options.durations.inProgressSeconds),
      LOCAL_SAGEMAKER_STOPPING_SECONDS: String(options.durations.stoppingSeconds),
    },
  });
  const eventsLog = join(dataDir, 'events.jsonl');
  const target = await connect(stack.endpoint, eventsLog);
  const events = tailEvents(eventsLog);
  let maxQueueDepth = 0;
  let peakRssSampled = 0;
  let queueDepth = 0;
  let rss = 0;
  let heapUsed = 0;
  let dropped = 0;
  const started = Date.now();
  const progress = () =>
    options.onProgress?.({
      elapsedMs: Date.now() - started,
      dropped,
      started: events.started.size,
      ended: events.ended.size,
      queueDepth,
      rss,
      heapUsed,
    });
  const sample = async () => {
    const queues = await target.queues();
    queueDepth = queues[UPLOAD_QUEUE]?.total ?? 0;
    maxQueueDepth = Math.max(maxQueueDepth, queueDepth);
    ({ rss, heapUsed } = await stack.stats());
    peakRssSampled = Math.max(peakRssSampled, rss);
  };
  let sampling = true;
  const sampler = (async () => {
    let ticks = 0;
    while (sampling) {
      await sample().catch(() => undefined);
      events.read();
      if (++ticks % 4 === 0) progress();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();

  try {
    const simulatedStart = await simulatedNow(target);
    const drops: Drop[] = new Array(options.drops);
    let next = 0;
    await Promise.all(
      Array.from({ length: options.putConcurrency ?? 16 }, async () => {
        while (next < options.drops) {
          const i = next++;
          drops[i] = await dropModel(target, `burst-${String(i).padStart(4, '0')}`);
          dropped += 1;
        }
      }),
    );
    // Until every drop has ended, or nothing has moved for `stallMs` with the queue empty (the
    // rest is lost: dead-lettered, or untracked).
    const deadline = started + options.timeoutMs;
    let lastChange = Date.now();
    let lastEnded = -1;
    while (Date.now() < deadline && drops.some((d) => !events.ended.has(d.jobName))) {
      events.read();
      if (events.ended.size !== lastEnded || queueDepth > 0) {
        lastEnded = events.ended.size;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > (options.stallMs ?? 10_000)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const wallMs = Date.now() - started;
    const simulatedSeconds = ((await simulatedNow(target)) - simulatedStart) / 1000;
    await settle(target, drops, 'burst-', 20_000);
    sampling = false;
    await sampler;
    await sample().catch(() => undefined);
    progress();
    const row = await audit(
      target,
      `burst of ${options.drops} drops, quota ${options.quota}`,
      drops,
      'burst-',
    );
    const { maxRss } = await stack.stats();
    return { row, wallMs, maxQueueDepth, peakRssSampled, maxRss, simulatedSeconds };
  } finally {
    sampling = false;
    await sampler;
    target.destroy();
    await stack.stop();
  }
}

/** The stack's (simulated) time, epoch ms. */
async function simulatedNow(target: Target): Promise<number> {
  return Date.parse((await target.admin<{ now: string }>('GET', '/_local/health')).now);
}

/** Follows the events log from where it was last read: who has Started, who has ended. */
function tailEvents(path: string) {
  let offset = 0;
  let rest = '';
  const state = {
    started: new Set<string>(),
    ended: new Set<string>(),
    read() {
      if (!existsSync(path)) return;
      const size = statSync(path).size;
      if (size <= offset) return;
      const buffer = Buffer.alloc(size - offset);
      const fd = openSync(path, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      offset = size;
      const lines = (rest + buffer.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line) as { 'detail-type': string; detail: { jobName?: string } };
        const name = event.detail.jobName;
        if (!name) continue;
        if (event['detail-type'] === 'Model Optimization Started') state.started.add(name);
        else if (TERMINAL.test(event['detail-type'])) state.ended.add(name);
      }
    },
  };
  return state;
}
