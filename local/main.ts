/**
 * `npm start`: the whole pipeline on one machine. Starts the embedded local stack, drops the
 * examples, shows the live timeline and the events, and keeps serving (`--once` exits when
 * every example drop has settled).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { dropExamples, type ExampleDrop } from './examples';
import { installLastResort } from './last-resort';
import { type LocalStack, PROJECT_ROOT, startLocalStack } from './stack';
import { aslExecutor } from './stepfunctions/executor';
import { startTimeline } from './timeline';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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

const { values } = parseArgs({
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
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const stack = await startLocalStack({
  ...(values.port !== undefined && { port: Number(values.port) }),
  ...(values.speed !== undefined && { clockSpeed: Number(values.speed) }),
  ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
  functionEnvironment: parseAssignments(values['function-env']),
  reset: !values['keep-state'],
  execute: aslExecutor,
});
printBanner(stack);

const timeline = values.quiet
  ? { stop() {} }
  : startTimeline(stack.activity, {
      tty: Boolean(process.stdout.isTTY),
      now: () => stack.clock.now(),
    });
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  timeline.stop();
  await stack.stop();
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
installLastResort(stack.internalErrors, (code) => process.exit(code));

if (!values['no-examples']) {
  const s3 = new S3Client({ endpoint: stack.endpoint, region: stack.region, forcePathStyle: true });
  const drops = await dropExamples(s3, stack.bucket, join(PROJECT_ROOT, 'examples'));
  console.log(`\nDropped ${drops.length} examples:`);
  for (const d of drops) console.log(`  ${d.triggerKey.padEnd(48)} → ${d.jobName}  (expect ${d.expect})`);
  console.log('');
  if (values.once) {
    const ok = await waitForExamples(stack, drops, Number(values.timeout) * 1000);
    await shutdown(ok ? 0 : 1);
  }
} else if (values.once) {
  await shutdown(0);
}
if (!values.once) console.log('Serving. Ctrl-C to stop.');

/** `NAME=VALUE` strings → an environment; exits with the help on a malformed one. */
function parseAssignments(assignments: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const assignment of assignments) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(assignment);
    if (!match?.[1] || match[2] === undefined) {
      console.error(`--function-env expects NAME=VALUE, got ${JSON.stringify(assignment)}\n\n${HELP}`);
      process.exit(2);
    }
    env[match[1]] = match[2];
  }
  return env;
}

function printBanner(stack: LocalStack): void {
  const exports = Object.entries(stack.clientEnv)
    .map(([k, v]) => `  export ${k}=${v}`)
    .join('\n');
  console.log(`model-optimization-pipeline local stack (stage ${stack.stage}, clock ×${speedOf()})

  endpoint  ${stack.endpoint}   (S3, SageMaker, Step Functions, EventBridge, SQS, SNS)
  bucket    ${stack.bucket}
  bus       ${stack.eventBusName}
  events    ${stack.eventsLogPath}
  admin     ${stack.endpoint}/_local/health

Point any AWS SDK or CLI at it:
${exports}
`);
}

function speedOf(): number {
  return JSON.parse(readFileSync(join(stack.dataDir, 'clock.json'), 'utf8')).speed;
}

interface LoggedEvent {
  'detail-type': string;
  detail: {
    jobName?: string;
    failureReason?: string;
    errors?: { path: string; message: string }[];
    output?: { s3Uri: string };
  };
}

function loggedEvents(stack: LocalStack): LoggedEvent[] {
  if (!existsSync(stack.eventsLogPath)) return [];
  return readFileSync(stack.eventsLogPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LoggedEvent);
}

/** Resolves true when every drop got its terminal event as expected, false on a mismatch or timeout. */
async function waitForExamples(stack: LocalStack, drops: ExampleDrop[], timeoutMs: number): Promise<boolean> {
  const expected = new Map(
    drops.map((d) => [d.jobName, `Model ${d.expect === 'Rejected' ? 'Upload' : 'Optimization'} ${d.expect}`]),
  );
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
  const outcome = outcomes();
  console.log(`\nEvents put on the bus (${stack.eventsLogPath}):`);
  for (const { 'detail-type': type, detail: d } of loggedEvents(stack)) {
    const extra =
      d.failureReason ?? d.output?.s3Uri ?? d.errors?.map((e) => `${e.path}: ${e.message}`).join('; ') ?? '';
    console.log(`  ${type.padEnd(30)} ${(d.jobName ?? '').padEnd(34)} ${extra}`);
  }
  let ok = true;
  for (const [jobName, want] of expected) {
    const got = outcome.get(jobName);
    if (got !== want) {
      ok = false;
      console.log(`✗ ${jobName}: expected ${want}, got ${got ?? 'nothing'}`);
    }
  }
  if (outcome.size < expected.size) console.log(`✗ not every drop settled within ${timeoutMs / 1000} s`);
  if (ok) console.log(`\n✓ all ${expected.size} example drops settled as expected`);
  return ok;
}
