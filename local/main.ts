/**
 * `npm start`: the whole pipeline on one machine. Starts the embedded local stack, drops the
 * examples, shows the live timeline and the events, and keeps serving (`--once` exits when
 * every example drop has settled). What can stop it from starting (an old Node, a busy port,
 * a data dir that is locked, unwritable or corrupt) is said in one line with the fix, exit 2
 * (local/startup/).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { fitTable } from '../src/terminal/fit-table';
import { createLiveRegion, type LiveRegion } from '../src/terminal/live-region';
import { truncateLine } from '../src/terminal/text-width';
import { EventsLog } from './console/events-log';
import { installLastResort } from './diagnostics/last-resort';
import { shortKey, startTimeline } from './diagnostics/timeline';
import { DEFAULT_PORT, type LocalStack, PROJECT_ROOT, startLocalStack } from './stack';
import { claimDataDir } from './startup/data-dir';
import { dropExamples, type ExampleDrop } from './startup/examples';
import { checkNodeVersion } from './startup/node-version';
import { assertPortFree, explainListenError } from './startup/port';
import { exitOnStartupError, StartupError } from './startup/startup-error';
import { stopOnSignals } from './startup/stop-on-signals';
import { aslExecutor } from './stepfunctions/executor';

const HELP = `Usage: npm start -- [options]

  --once            exit when every example drop has settled (exit 1 if one did not end as expected)
  --no-examples     start the stack without dropping the examples
  --keep-state      keep the state of the last run (default: start empty)
  --data-dir <dir>  where state persists (default: .local/ in the project)
  --port <n>        edge port (default: LOCAL_PORT or 4566)
  --speed <n>       simulated seconds per real second (default: LOCAL_CLOCK_SPEED or 60)
  --function-env NAME=VALUE
                    set a variable over every function's environment from serverless.yml,
                    e.g. TRACKING_FIRST_POLL_DELAY_SECONDS=30 (repeatable)
  --quiet           no timeline: print the banner, then only errors
  --timeout <s>     with --once: give up after this many real seconds (default 120)
  -h, --help        this help`;

const HOST = '127.0.0.1';
/** How long Ctrl-C waits for the stack to stop before it quits without it (stop-on-signals). */
const STOP_TIMEOUT_MS = 15_000;
/** The stack's events log, read as it grows (loggedEvents). */
let eventsLog: EventsLog | undefined;

const { values, stack, claim } = await exitOnStartupError(async () => {
  checkNodeVersion();
  const values = parseOptions();
  const functionEnvironment = parseAssignments(values['function-env']);
  const port = values.port ?? Number(process.env.LOCAL_PORT ?? DEFAULT_PORT);
  await assertPortFree(HOST, port);
  const defaultDataDir = join(PROJECT_ROOT, '.local');
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir);
  // The project's own .local/ (git ignores it) is the stack's even from before it was marked.
  const claim = claimDataDir(dataDir, {
    keepState: values['keep-state'],
    adopt: dataDir === resolve(defaultDataDir),
  });
  const stack = await startLocalStack({
    host: HOST,
    port,
    ...(values.speed !== undefined && { clockSpeed: Number(values.speed) }),
    dataDir,
    functionEnvironment,
    // claimDataDir emptied it (all but its lock) unless --keep-state.
    reset: false,
    execute: aslExecutor,
  }).catch((error: unknown) => {
    throw explainListenError(error, port);
  });
  claim.setEndpoint(stack.endpoint);
  return { values, stack, claim };
});
printBanner(stack);

// The one writer to the terminal from here on: the timeline draws in it, and everything else
// (the examples, the functions' logs, warnings) is printed above it.
const region = createLiveRegion({
  stream: process.stdout,
  live: !values.quiet && Boolean(process.stdout.isTTY),
});
const timeline = values.quiet
  ? undefined
  : startTimeline(stack.activity, { region, now: () => stack.clock.now() });
const shutdown = stopOnSignals({
  async stop(signal) {
    timeline?.stop();
    region.finish();
    if (signal) console.log('\nStopping the local stack…');
    await stack.stop();
    claim.release();
    if (signal) console.log(stoppedMessage(stack));
  },
  exit: (code) => process.exit(code),
  timeoutMs: STOP_TIMEOUT_MS,
  report: (message) => console.error(message),
});
installLastResort(stack.internalErrors, (code) => process.exit(code));

if (!values['no-examples']) {
  const s3 = new S3Client({ endpoint: stack.endpoint, region: stack.region, forcePathStyle: true });
  const drops = await dropExamples(s3, stack.bucket, join(PROJECT_ROOT, 'examples'));
  region.print(examplesList(drops, region).join('\n'));
  if (values.once) {
    const timeoutMs = Number(values.timeout) * 1000;
    const outcomes = await waitForExamples(stack, drops, timeoutMs);
    timeline?.stop();
    const report = reportExamples(stack, drops, outcomes, timeoutMs);
    const width = process.stdout.isTTY ? process.stdout.columns : undefined;
    for (const line of report.lines) console.log(width ? truncateLine(line, width) : line);
    await shutdown(report.ok ? 0 : 1);
  }
} else if (values.once) {
  await shutdown(0);
}
if (!values.once) region.print('Serving. Ctrl-C to stop.');

/** The command line, or a {@link StartupError} that shows the help. */
function parseOptions() {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    throw new StartupError(`${(error as Error).message}\n\n${HELP}`, { cause: error });
  }
  const { values } = parsed;
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536))
    throw new StartupError(
      `--port expects a port number (0 for any free one), got ${JSON.stringify(values.port)}`,
    );
  return { ...values, port };
}

function parse() {
  return parseArgs({
    options: {
      once: { type: 'boolean', default: false },
      'no-examples': { type: 'boolean', default: false },
      'keep-state': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'function-env': { type: 'string', multiple: true, default: [] },
      quiet: { type: 'boolean', default: false },
      port: { type: 'string' },
      speed: { type: 'string' },
      timeout: { type: 'string', default: '120' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

/** What Ctrl-C leaves on screen once the stack has stopped. */
function stoppedMessage(stack: LocalStack): string {
  return `Stopped. The state is kept in ${stack.dataDir}
  npm start -- --keep-state   continues from it
  npm start                   starts empty`;
}

/** The examples just dropped, as a table that fits the terminal. */
function examplesList(drops: ExampleDrop[], region: LiveRegion): string[] {
  const expect = (d: ExampleDrop) => `expect ${d.expect}`;
  const table = fitTable(
    [
      { headers: ['DROP', 'JOB', ''], rows: drops.map((d) => [d.triggerKey, d.jobName, expect(d)]) },
      {
        headers: ['DROP', 'JOB', ''],
        rows: drops.map((d) => [shortKey(d.triggerKey), d.jobName, expect(d)]),
      },
      { headers: ['JOB', ''], rows: drops.map((d) => [d.jobName, expect(d)]) },
    ],
    region.columns() - 2,
  );
  return [`Dropped ${drops.length} examples:`, ...table.slice(1).map((line) => `  ${line}`), ''];
}

/** `NAME=VALUE` strings → an environment; exits with the help on a malformed one. */
function parseAssignments(assignments: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const assignment of assignments) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(assignment);
    if (!match?.[1] || match[2] === undefined)
      throw new StartupError(
        `--function-env expects NAME=VALUE, got ${JSON.stringify(assignment)}\n\n${HELP}`,
      );
    env[match[1]] = match[2];
  }
  return env;
}

function printBanner(stack: LocalStack): void {
  const exports = Object.entries(stack.clientEnv)
    .map(([k, v]) => `  export ${k}=${v}`)
    .join('\n');
  console.log(`model-optimization-pipeline local stack (stage ${stack.stage}, clock ×${speedOf()})

  endpoint  ${stack.endpoint}
            S3, SageMaker, Step Functions, EventBridge, SQS, SNS
  bucket    ${stack.bucket}
  bus       ${stack.eventBusName}
  events    ${stack.eventsLogPath}
  admin     ${stack.endpoint}/_local/health
  console   ${stack.endpoint}/_local/console

Point any AWS SDK or CLI at it:
${exports}
`);
}

function speedOf(): number {
  return JSON.parse(readFileSync(join(stack.dataDir, 'clock.json'), 'utf8')).speed;
}

/** What this file reads of a logged event. */
interface PipelineEvent {
  'detail-type': string;
  detail: {
    jobName?: string;
    failureReason?: string;
    errors?: { path: string; message: string }[];
    output?: { s3Uri: string };
  };
}

/** The events the bus has logged so far; a line still being appended is left for later. */
function loggedEvents(stack: LocalStack): readonly PipelineEvent[] {
  eventsLog ??= new EventsLog(stack.eventsLogPath);
  return eventsLog.all() as unknown as readonly PipelineEvent[];
}

/** The terminal event each example drop should end with, by job name. */
function expectedOutcomes(drops: ExampleDrop[]): Map<string, string> {
  return new Map(
    drops.map((d) => [d.jobName, `Model ${d.expect === 'Rejected' ? 'Upload' : 'Optimization'} ${d.expect}`]),
  );
}

/** Waits until every drop has its terminal event, or `timeoutMs`; resolves the events by job name. */
async function waitForExamples(
  stack: LocalStack,
  drops: ExampleDrop[],
  timeoutMs: number,
): Promise<Map<string, string>> {
  const expected = expectedOutcomes(drops);
  const outcomes = () =>
    new Map(
      loggedEvents(stack)
        .filter(
          (e) => e.detail.jobName && expected.has(e.detail.jobName) && !e['detail-type'].endsWith('Started'),
        )
        .map((e) => [e.detail.jobName as string, e['detail-type']]),
    );
  const deadline = Date.now() + timeoutMs;
  while (outcomes().size < expected.size && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stack.bus.idle();
  return outcomes();
}

/** The events on the bus and the verdict: `ok` when every drop ended as expected. */
function reportExamples(
  stack: LocalStack,
  drops: ExampleDrop[],
  outcome: Map<string, string>,
  timeoutMs: number,
): { ok: boolean; lines: string[] } {
  const expected = expectedOutcomes(drops);
  const lines = ['', `Events put on the bus (${stack.eventsLogPath}):`];
  for (const { 'detail-type': type, detail: d } of loggedEvents(stack)) {
    const extra =
      d.failureReason ?? d.output?.s3Uri ?? d.errors?.map((e) => `${e.path}: ${e.message}`).join('; ') ?? '';
    lines.push(`  ${type.padEnd(30)} ${(d.jobName ?? '').padEnd(34)} ${extra}`.trimEnd());
  }
  let ok = true;
  for (const [jobName, want] of expected) {
    const got = outcome.get(jobName);
    if (got !== want) {
      ok = false;
      lines.push(`✗ ${jobName}: expected ${want}, got ${got ?? 'nothing'}`);
    }
  }
  if (outcome.size < expected.size) lines.push(`✗ not every drop settled within ${timeoutMs / 1000} s`);
  if (ok) lines.push('', `✓ all ${expected.size} example drops settled as expected`);
  return { ok, lines };
}
