/**
 * The stack's own admin API under `/_local/` (not AWS): health and clock, stats, the S3 request
 * log, queue depths, and fault injection. One table of routes: the edge serves it behind the
 * request guard, and the fuzzer (harness/edge-operations.ts) sends requests to every route in it.
 */
import { readdirSync } from 'node:fs';
import type { PeakTracker } from '../diagnostics/memory-peaks';
import type { S3RequestLog } from '../diagnostics/s3-request-log';
import type { LocalBus } from '../eventbridge/bus';
import type { SageMakerEmulator } from '../sagemaker';
import type { LocalQueue } from '../sqs/queue';
import type { StepFunctionsService } from '../stepfunctions/service';
import type { Clock } from '../time/clock';
import { failedEntriesInput, faultInput, outcomeInput } from './admin-input';

/** What the admin routes read and change. */
export interface AdminContext {
  sageMaker: SageMakerEmulator;
  stepFunctions: StepFunctionsService;
  bus: LocalBus;
  queues: Map<string, LocalQueue>;
  clock: Clock;
  speed: number;
  stage: string;
  memory: PeakTracker;
  s3Requests: S3RequestLog;
  /** The stack's own counters, for `/_local/stats`. */
  stats: () => Record<string, unknown>;
}

export interface AdminAnswer {
  statusCode: number;
  body: unknown;
}

type AdminRoute = (context: AdminContext, body: unknown) => AdminAnswer;

const ok = (body: unknown): AdminAnswer => ({ statusCode: 200, body });

/** Every admin route, by `<METHOD> <path>`. */
export const ADMIN_ROUTES = {
  // The clock lets clients (model-opt) compare the stack's simulated times with "now".
  'GET /_local/health': (c) =>
    ok({
      status: 'running',
      stage: c.stage,
      now: new Date(c.clock.now()).toISOString(),
      clockSpeed: c.speed,
    }),
  'GET /_local/stats': (c) => {
    const memory = process.memoryUsage();
    const windows = c.memory.windows();
    return ok({
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      // maxRSS is in kibibytes.
      maxRss: process.resourceUsage().maxRSS * 1024,
      sampledPeakRss: c.memory.peak(),
      jobs: [
        ...windows.closed.map((w) => ({ jobName: w.name, peakRss: w.peakRss, running: false })),
        ...windows.open.map((w) => ({ jobName: w.name, peakRss: w.peakRss, running: true })),
      ],
      openFiles: openFiles(),
      ...c.stats(),
    });
  },
  'POST /_local/stats/reset-peak': (c) => {
    c.memory.resetPeak();
    return ok({ sampledPeakRss: c.memory.peak() });
  },
  'GET /_local/s3/requests': (c) => ok({ requests: c.s3Requests.list() }),
  'DELETE /_local/s3/requests': (c) => {
    c.s3Requests.clear();
    return ok({ cleared: true });
  },
  'GET /_local/queues': (c) => ok(Object.fromEntries([...c.queues.values()].map((q) => [q.name, q.stats()]))),
  'POST /_local/faults': (c, body) => {
    const { service, ...spec } = faultInput(body);
    const target =
      service === 'sagemaker'
        ? c.sageMaker.faults
        : service === 'stepfunctions'
          ? c.stepFunctions.faults
          : service === 'eventbridge'
            ? c.bus.faults.requests
            : undefined;
    if (!target)
      return {
        statusCode: 400,
        body: { message: 'service must be sagemaker, stepfunctions or eventbridge' },
      };
    return ok({ id: target.inject(spec) });
  },
  'POST /_local/faults/eventbridge-failed-entries': (c, body) => {
    c.bus.faults.failedEntries.set(failedEntriesInput(body));
    return ok({ failedEntries: c.bus.faults.failedEntries.get() ?? null });
  },
  'POST /_local/sagemaker/outcomes': (c, body) =>
    ok({ id: c.sageMaker.faults.overrideOutcome(outcomeInput(body)) }),
  'DELETE /_local/faults': (c) => {
    c.sageMaker.faults.clear();
    c.stepFunctions.faults.clear();
    c.bus.faults.requests.clear();
    c.bus.faults.failedEntries.set(undefined);
    return ok({ cleared: true });
  },
} satisfies Record<string, AdminRoute>;

export type AdminRouteName = keyof typeof ADMIN_ROUTES;

/** Answers one admin request: 404 for a route not in the table, 400 for a body a route refuses. */
export function handleAdmin(context: AdminContext, method: string, path: string, body: unknown): AdminAnswer {
  const name = `${method} ${path}`;
  const route = Object.hasOwn(ADMIN_ROUTES, name) ? ADMIN_ROUTES[name as AdminRouteName] : undefined;
  if (!route) return { statusCode: 404, body: { message: `no admin route ${name}` } };
  try {
    return route(context, body);
  } catch (error) {
    return { statusCode: 400, body: { message: (error as Error).message } };
  }
}

/** File descriptors the process holds (sockets included), where the platform tells (Linux). */
function openFiles(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
