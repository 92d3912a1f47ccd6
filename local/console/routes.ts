/**
 * The local console at `/_local/console`: the page, its assets and its routes, served by the
 * edge in the stack's process. Read-only but for two writes: redrive (the upload DLQ back to
 * the upload queue, as `model-opt redrive` does) and the page's own drops, which go through S3.
 *
 * Live updates are server-sent events: the stack already emits every change on its activity
 * log, so the console pushes a fresh snapshot after a change (at most every SNAPSHOT_MS, and
 * once a second while a job runs, for the elapsed times) instead of being polled; an idle
 * stack sends nothing, and EventSource reconnects on its own after a restart.
 */
import type http from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { moveDeadLetters } from '../../src/client';
import { classifyObject, DEFAULT_DROP_RULES, type DropRules } from '../../src/drop';
import type { ActivityLog } from '../diagnostics/activity';
import type { SageMakerEmulator } from '../sagemaker';
import type { LocalServiceDescription } from '../service/description';
import type { LocalQueue } from '../sqs/queue';
import type { StepFunctionsService } from '../stepfunctions/service';
import type { Clock } from '../time/clock';
import type { AslDefinition, ConsoleConfig, ConsoleSnapshot, JobGraph, QueueDepth } from './api-types';
import { consoleAssets } from './assets';
import { EventPatternError, EventsLog, filterEvents } from './events-log';
import { buildJobRows, rowIdOf } from './jobs-view';

export const CONSOLE_PATH = '/_local/console';
const API = `${CONSOLE_PATH}/api`;
/** The least real time between two pushed snapshots. */
const SNAPSHOT_MS = 250;
/** Bodies the routes read are patterns and names: small. */
const MAX_BODY_BYTES = 64 * 1024;

export interface ConsoleOptions {
  description: LocalServiceDescription;
  activity: ActivityLog;
  stepFunctions: StepFunctionsService;
  sageMaker: SageMakerEmulator;
  queues: Map<string, LocalQueue>;
  clock: Clock;
  clockSpeed: number;
  bucket: string;
  eventBusName: string;
  eventsLogPath: string;
  region: string;
  /** The edge's URL, known once it listens. */
  endpoint: () => string;
}

export interface LocalConsole {
  /** The edge's hook: serves a `/_local/console…` request, or resolves false. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean>;
  /** Ends the open streams and stops following the activity log. */
  close(): void;
}

/** Creates the console over the stack's parts; it follows the activity log from now on. */
export function createConsole(options: ConsoleOptions): LocalConsole {
  const assets = consoleAssets();
  const events = new EventsLog(options.eventsLogPath);
  const rules = dropRules(options.description);
  const drops: { key: string; at: number }[] = [];
  const statuses = new Map<string, { status: string; failureReason?: string }>();
  const streams = new Set<http.ServerResponse>();
  let sqs: SQSClient | undefined;
  let statusesLoaded = false;

  const unsubscribe = options.activity.on((a) => {
    if (a.kind === 'object-created') {
      // Classification reads the key; the activity record carries no size or event name.
      const object = { bucket: a.bucket, key: a.key, size: 0, eventName: 'ObjectCreated:Put', eventTime: '' };
      const drop = classifyObject(object, rules);
      if (drop.kind !== 'ignored') drops.push({ key: a.key, at: a.at });
    } else if (a.kind === 'job-status') {
      statuses.set(a.jobName, {
        status: a.status,
        ...(a.failureReason && { failureReason: a.failureReason }),
      });
    } else if (a.kind === 'delivery' || a.kind === 'sns') {
      return;
    }
    schedulePush();
  });

  /** Statuses of jobs created before this process (a restarted stack), once. */
  const loadStatuses = async () => {
    if (statusesLoaded) return;
    statusesLoaded = true;
    let token: string | undefined;
    try {
      do {
        const page = (await options.sageMaker.handle('ListOptimizationJobs', {
          MaxResults: 100,
          ...(token && { NextToken: token }),
        })) as { OptimizationJobSummaries?: Record<string, unknown>[]; NextToken?: string };
        for (const job of page.OptimizationJobSummaries ?? []) {
          const name = String(job.OptimizationJobName);
          if (!statuses.has(name)) statuses.set(name, { status: String(job.OptimizationJobStatus) });
        }
        token = page.NextToken;
      } while (token);
    } catch {
      // Statuses then come from the status changes alone.
    }
  };

  const queueDepths = (): ConsoleSnapshot['queues'] => {
    const upload = options.description.queues.find((q) => q.redrive);
    const depth = (logicalId: string | undefined): QueueDepth | undefined => {
      const queue = logicalId ? options.queues.get(logicalId) : undefined;
      return queue && { name: queue.name, url: queue.url, ...queue.stats() };
    };
    const result: ConsoleSnapshot['queues'] = {};
    const uploadDepth = depth(upload?.logicalId);
    const deadLetterDepth = depth(upload?.redrive?.deadLetterLogicalId);
    if (uploadDepth) result.upload = uploadDepth;
    if (deadLetterDepth) result.deadLetter = deadLetterDepth;
    return result;
  };

  const snapshot = async (): Promise<ConsoleSnapshot> => {
    await loadStatuses();
    const all = events.all();
    return {
      now: options.clock.now(),
      clockSpeed: options.clockSpeed,
      jobs: buildJobRows({ executions: options.stepFunctions.executions(), events: all, statuses, drops }),
      queues: queueDepths(),
      eventCount: all.length,
    };
  };

  let pushTimer: NodeJS.Timeout | undefined;
  let lastPush = 0;
  function schedulePush(): void {
    if (streams.size === 0 || pushTimer) return;
    pushTimer = setTimeout(
      () => {
        pushTimer = undefined;
        lastPush = Date.now();
        void push();
      },
      Math.max(0, lastPush + SNAPSHOT_MS - Date.now()),
    );
  }
  const push = async () => {
    try {
      const data = await snapshot();
      for (const res of streams) res.write(`event: snapshot\ndata: ${JSON.stringify(data)}\n\n`);
    } catch {
      // A snapshot that cannot be read now (the events log mid-replacement) comes with the next change.
    }
  };
  // Queue depths change without activity (a message sent, received or deleted), and the elapsed
  // column of a running job moves with the clock: a second's check catches both.
  let lastTick = '';
  const ticker = setInterval(() => {
    if (streams.size === 0) return;
    const running = options.stepFunctions.executions().some((e) => e.status === 'RUNNING');
    const tick = JSON.stringify(queueDepths());
    if (running || tick !== lastTick) schedulePush();
    lastTick = tick;
  }, 1000);
  ticker.unref();

  const graph = (id: string): JobGraph | undefined => {
    const executions = options.stepFunctions
      .executions()
      .filter((e) => rowIdOf(e) === id)
      .sort((a, b) => a.startDate - b.startDate);
    const first = executions[0];
    if (!first) return undefined;
    const machine = options.description.stateMachines.find((sm) => sm.arn === first.stateMachineArn);
    const row = buildJobRows({ executions, events: events.all(), statuses, drops: [] })[0];
    return {
      id,
      outcome: row?.outcome ?? 'pending',
      definition: machine?.definition as AslDefinition,
      executions: executions.map((e) => ({
        name: e.name,
        status: e.status,
        startDate: e.startDate,
        ...(e.stopDate !== undefined && { stopDate: e.stopDate }),
        ...(e.error !== undefined && { error: e.error }),
        ...(e.cause !== undefined && { cause: e.cause }),
        history: e.history ?? [],
      })),
    };
  };

  const redrive = async () => {
    const upload = options.description.queues.find((q) => q.redrive);
    const uploadQueue = upload && options.queues.get(upload.logicalId);
    const deadLetterQueue = upload?.redrive && options.queues.get(upload.redrive.deadLetterLogicalId);
    if (!uploadQueue || !deadLetterQueue) throw new Error('serverless.yml declares no queue with a DLQ');
    sqs ??= new SQSClient({
      endpoint: options.endpoint(),
      region: options.region,
      credentials: { accessKeyId: 'local-console', secretAccessKey: 'local-console' },
    });
    return moveDeadLetters(sqs, {
      deadLetterQueueUrl: deadLetterQueue.url,
      deadLetterQueueArn: deadLetterQueue.arn,
      uploadQueueArn: uploadQueue.arn,
    });
  };

  const config = (): ConsoleConfig => ({
    stage: options.description.stage,
    bucket: options.bucket,
    modelsPrefix: rules.modelsPrefix,
    manifestName: rules.manifestName,
    eventBusName: options.eventBusName,
    rules: options.description.functions.flatMap((fn) =>
      fn.eventBridge.map((rule, i) => ({ name: `${fn.key}-${i + 1}`, pattern: rule.pattern })),
    ),
  });

  const openStream = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    streams.add(res);
    req.on('close', () => streams.delete(res));
    try {
      res.write(`event: snapshot\ndata: ${JSON.stringify(await snapshot())}\n\n`);
    } catch {
      // The stream stays open: the next change pushes a snapshot.
    }
  };

  return {
    close() {
      unsubscribe();
      clearInterval(ticker);
      if (pushTimer) clearTimeout(pushTimer);
      for (const res of streams) res.end();
      streams.clear();
      sqs?.destroy();
    },
    async handle(req, res, path) {
      const method = req.method ?? 'GET';
      if (method === 'GET' && (path === CONSOLE_PATH || path === `${CONSOLE_PATH}/`)) {
        return sendAsset(res, await assets('index.html'));
      }
      if (!path.startsWith(`${API}/`)) {
        if (method !== 'GET') return false;
        return sendAsset(res, await assets(path.slice(CONSOLE_PATH.length + 1)));
      }
      const route = `${method} ${path.slice(API.length)}`;
      try {
        if (route === 'GET /config') return sendJson(res, 200, config());
        if (route === 'GET /snapshot') return sendJson(res, 200, await snapshot());
        if (route === 'GET /stream') {
          await openStream(req, res);
          return true;
        }
        if (method === 'GET' && route.startsWith('GET /jobs/')) {
          const id = decodeURIComponent(route.slice('GET /jobs/'.length));
          const found = graph(id);
          return found
            ? sendJson(res, 200, found)
            : sendJson(res, 404, { message: `no execution for ${id}` });
        }
        if (route === 'POST /events') {
          const body = (await readJson(req)) as { pattern?: string; jobName?: string; limit?: number };
          return sendJson(
            res,
            200,
            filterEvents(events.all(), {
              ...(typeof body.pattern === 'string' && { patternText: body.pattern }),
              ...(typeof body.jobName === 'string' && { jobName: body.jobName }),
              ...(typeof body.limit === 'number' && { limit: body.limit }),
            }),
          );
        }
        if (route === 'POST /redrive') return sendJson(res, 200, await redrive());
        return sendJson(res, 404, { message: `no console route ${route}` });
      } catch (error) {
        if (error instanceof EventPatternError || error instanceof SyntaxError)
          return sendJson(res, 400, { message: error.message });
        return sendJson(res, 500, { message: (error as Error).message });
      }
    },
  };
}

/** The drop contract's prefix and manifest name, as the start function is configured. */
function dropRules(description: LocalServiceDescription): DropRules {
  const env = description.functions.find((fn) => fn.environment.MODELS_PREFIX)?.environment ?? {};
  return {
    modelsPrefix: env.MODELS_PREFIX ?? DEFAULT_DROP_RULES.modelsPrefix,
    manifestName: env.MANIFEST_NAME ?? DEFAULT_DROP_RULES.manifestName,
  };
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new SyntaxError(`the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const parsed = text ? (JSON.parse(text) as unknown) : {};
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

function sendJson(res: http.ServerResponse, statusCode: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  return true;
}

function sendAsset(
  res: http.ServerResponse,
  asset: { contentType: string; body: string } | undefined,
): boolean {
  if (!asset) return false;
  res.writeHead(200, {
    'content-type': asset.contentType,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(asset.body),
    // The page loads nothing from elsewhere; a stray script or frame elsewhere cannot embed it.
    'content-security-policy':
      "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(asset.body);
  return true;
}
