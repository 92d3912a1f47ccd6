/**
 * Client faults: what clients do to the local stack that the pipeline never does. Uploads
 * dropped at every point, keys S3 allows but file systems do not, malformed protocol bodies,
 * and thousands of generated requests. The stack runs in a child process, so a fault that
 * kills it shows as a dead process, not as a dead test runner. Afterwards it must still be up
 * with no internal error counted, a normal drop must still end in exactly one terminal event,
 * and its state must load again. What each part proves: docs/reliability.md, "Client faults".
 *
 * `FUZZ_SEED=<n>` replays a run of the generated requests; the seed is printed with a failure.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, settle } from '../../harness/drop-audit';
import {
  ABORT_POINTS,
  abortedUpload,
  abortOffset,
  awsChunked,
  sendWhole,
  statusOf,
  UPLOAD_KINDS,
  uploadRequest,
} from '../../harness/dropped-uploads';
import { FAST_JOB_ENV, FAST_PIPELINE_ENV } from '../../harness/fast-pipeline';
import { fuzzContext } from '../../harness/fuzz-context';
import { dropModel } from '../../harness/model-drops';
import { describeFailure, type FuzzTally, fuzzRequests, sendAll } from '../../harness/request-fuzzer';
import { connect } from '../../harness/stack-target';
import { type ChildStack, startChildStack } from '../../local/startup/child-stack';

const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 1414);
const FUZZ_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const SPEED = 400;
const OPTIONS = {
  speed: SPEED,
  functionEnvironment: FAST_PIPELINE_ENV,
  env: { LOCAL_FUNCTION_LOG_LEVEL: 'SILENT', ...FAST_JOB_ENV },
};

/**
 * One row of the client-fault table (docs/reliability.md): how often a fault was tried, how
 * often the stack answered as AWS would and stayed up with no internal error, and how much data
 * was lost (an object stored in part, a notification for an upload that failed).
 */
interface Row {
  fault: string;
  tried: number;
  survived: number;
  lost: number;
}
const rows: Row[] = [];
const record = (row: Row) => rows.push(row);

let stack: ChildStack;
let dataDir: string;
let bucket: string;
let s3: S3Client;

/** True while the stack's process lives and answers. */
async function isUp(): Promise<boolean> {
  try {
    await stack.admin('GET', '/_local/health');
    return stack.isRunning();
  } catch {
    return false;
  }
}

/** File descriptors of the stack's process, from /proc. */
function openFiles(): number {
  return readdirSync(`/proc/${stack.pid}/fd`).length;
}

/** Files in the bucket's temporary folder: uploads still being written. */
function stagedFiles(): string[] {
  const dir = join(dataDir, 's3', bucket, 'tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'NotFound') return false;
    throw error;
  }
}

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'mop-clients-')), 'data');
  stack = await startChildStack({ dataDir, ...OPTIONS });
  s3 = new S3Client({
    endpoint: stack.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
    // One attempt, so a failure shows. The SDK's default agent: the edge keeps an idle pooled
    // socket longer than the 200 drops below take (local/edge/keep-alive.ts).
    maxAttempts: 1,
  });
  bucket = (await fuzzContext(stack.endpoint)).bucket;
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
  if (rows.length > 0)
    console.log(`\nClient faults (local stack in a child process):\n\n${formatRows(rows)}\n`);
});

describe('the client cases of issue 14', () => {
  it('survives an upload whose client goes away mid-body (case 1)', async () => {
    await abortedUpload(
      { endpoint: stack.endpoint, bucket },
      'put',
      'mid-body',
      'models/gone.tar.gz',
      Buffer.alloc(8 << 20, 1),
    );

    await until('the upload to be let go', () => stagedFiles().length === 0);
    const up = await isUp();
    const stored = await exists('models/gone.tar.gz');
    record({
      fault: 'case 1: upload (8 MiB) whose client goes away mid-body',
      tried: 1,
      survived: up ? 1 : 0,
      lost: stored ? 1 : 0,
    });
    expect(up).toBe(true);
    expect(stored).toBe(false);
  });

  it('stores and lists a valid S3 key that is not a valid file name: 1,014 bytes in one segment (case 2)', async () => {
    const key = `models/${'k'.repeat(1000)}.tar.gz`;

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'not a tarball' }));

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'models/kkk' }));
    const up = await isUp();
    const kept = listed.Contents?.length === 1 && listed.Contents[0]?.Key === key;
    record({
      fault: 'case 2: key of 1,014 bytes in one segment',
      tried: 1,
      survived: up && kept ? 1 : 0,
      lost: kept ? 0 : 1,
    });
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
    expect(up).toBe(true);
  });

  it('answers a truncated aws-chunked body with 400 IncompleteBody, and stays up (case 3)', async () => {
    const whole = uploadRequest(
      { endpoint: stack.endpoint, bucket },
      'aws-chunked',
      'models/truncated.tar.gz',
      Buffer.alloc(200_000, 2),
    );
    const headerEnd = whole.indexOf('\r\n\r\n') + 4;
    const cut = abortOffset(whole, 'mid-body');
    // A complete HTTP request whose aws-chunked framing stops mid-chunk.
    const truncated = Buffer.concat([
      Buffer.from(
        whole
          .subarray(0, headerEnd)
          .toString('latin1')
          .replace(/\r\ncontent-length: \d+/, `\r\ncontent-length: ${cut - headerEnd}`),
        'latin1',
      ),
      whole.subarray(headerEnd, cut),
    ]);

    const response = await sendWhole(stack.endpoint, truncated);

    const up = await isUp();
    const stored = await exists('models/truncated.tar.gz');
    record({
      fault: 'case 3: truncated aws-chunked body',
      tried: 1,
      survived: up && statusOf(response) === 400 ? 1 : 0,
      lost: stored ? 1 : 0,
    });
    expect(statusOf(response)).toBe(400);
    expect(response).toMatch(/<Code>IncompleteBody<\/Code>/);
    expect(up).toBe(true);
    expect(stored).toBe(false);
  });

  it('answers a malformed PutEvents body with a 400 naming the member (case 4)', async () => {
    const response = await fetch(stack.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ Entries: 'notalist' }),
    });
    const body = (await response.json()) as { __type: string; message: string };

    record({
      fault: 'case 4: PutEvents with `"Entries": "notalist"`',
      tried: 1,
      survived: response.status === 400 && /Entries/.test(body.message) ? 1 : 0,
      lost: 0,
    });
    expect(response.status).toBe(400);
    expect(body.__type).toBe('SerializationException');
    expect(body.message).toMatch(/Entries/);
  });
});

describe('malformed protocol bodies', () => {
  it('answers a CreateOptimizationJob nested 5,000 deep with 400, not a stack overflow (found by bench:clients)', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const request = `{"OptimizationJobName":"x","RoleArn":"arn:aws:iam::000000000000:role/x","ModelSource":{"S3":{"S3Uri":"s3://b/k"}},"DeploymentInstanceType":"ml.g5.xlarge","OptimizationConfigs":[${Array(11).fill(deep).join(',')}],"OutputConfig":{"S3OutputLocation":"s3://b/o"}}`;

    const response = await fetch(stack.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'SageMaker.CreateOptimizationJob',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: request,
    });

    const { internalErrors } = await stack.stats();
    record({
      fault: 'CreateOptimizationJob nested 5,000 deep',
      tried: 1,
      survived: response.status === 400 && internalErrors === 0 ? 1 : 0,
      lost: 0,
    });
    expect(response.status).toBe(400);
    expect(internalErrors).toBe(0);
  });
});

describe('uploads whose client goes away', () => {
  const body = Buffer.alloc(1 << 20, 7);
  const matrix: Row = {
    fault: 'upload dropped: 4 kinds × in the headers, mid-body, before the end',
    tried: 0,
    survived: 0,
    lost: 0,
  };
  beforeAll(() => record(matrix));

  for (const kind of UPLOAD_KINDS) {
    for (const point of ABORT_POINTS) {
      it(`leaves no object and sends no notification: ${kind}, dropped ${point === 'headers' ? 'in the headers' : point === 'mid-body' ? 'mid-body' : 'just before the end'}`, async () => {
        const key = `models/abort-${kind}-${point}.tar.gz`;
        const before = await stack.stats();

        await abortedUpload(
          { endpoint: stack.endpoint, bucket },
          kind,
          point,
          key,
          body,
          point === 'mid-body' ? 'close' : 'reset',
        );

        await until('the upload to be let go', () => stagedFiles().length === 0);
        const stored = await exists(key);
        const after = await stack.stats();
        const notified = after.s3.notifications !== before.s3.notifications;
        const up = await isUp();
        matrix.tried += 1;
        matrix.survived += up && after.internalErrors === 0 ? 1 : 0;
        matrix.lost += stored || notified ? 1 : 0;
        expect(stored).toBe(false);
        expect(notified).toBe(false);
        expect(after.internalErrors).toBe(0);
        expect(up).toBe(true);
      });
    }
  }

  it('frees its file handles and memory: 200 aborted uploads in a row', async () => {
    const target = { endpoint: stack.endpoint, bucket };
    const stackRequests = async () => (await stack.stats()).s3.requests;
    const clientsGone = async () => (await stack.stats()).s3.clientsGone;
    // Warm the connection pools first, so the count compares like with like; the warm-up's
    // client must be counted gone before the count starts.
    const goneBefore = await clientsGone();
    await abortedUpload(target, 'put', 'mid-body', 'models/warm.tar.gz', body, 'reset', stackRequests);
    await until(
      'the warm-up upload to be let go',
      async () => stagedFiles().length === 0 && (await clientsGone()) > goneBefore,
    );
    const files = openFiles();
    const before = await stack.stats();

    for (let i = 0; i < 200; i++) {
      const kind = UPLOAD_KINDS[i % UPLOAD_KINDS.length] as (typeof UPLOAD_KINDS)[number];
      await abortedUpload(
        target,
        kind,
        i % 2 === 0 ? 'mid-body' : 'before-end',
        `models/leak-${i}.tar.gz`,
        body,
        i % 3 === 0 ? 'close' : 'reset',
        stackRequests,
      );
    }

    await until('every upload to be let go', () => stagedFiles().length === 0);
    // The stack hears of the last drops a moment after the client has closed its socket.
    await until(
      'the stack to see 200 clients go',
      async () => (await stack.stats()).s3.clientsGone - before.s3.clientsGone >= 200,
    );
    // Sockets the stack closes are gone from /proc a moment later; a few keep-alive ones stay.
    await until(`open files back near ${files}`, () => openFiles() <= files + 8);
    const after = await stack.stats();
    console.log(
      `200 aborted uploads: open files ${files} → ${openFiles()}, RSS ${mib(before.rss)} → ${mib(after.rss)}, heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)}, clients gone ${after.s3.clientsGone - before.s3.clientsGone}`,
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'models/leak-' }));
    record({
      fault: `200 uploads dropped in a row (open files ${files} → ${openFiles()})`,
      tried: 200,
      survived:
        (await isUp()) && after.internalErrors === 0 ? after.s3.clientsGone - before.s3.clientsGone : 0,
      lost: (listed.KeyCount ?? 0) + after.s3.notifications - before.s3.notifications,
    });
    expect(after.s3.notifications).toBe(before.s3.notifications);
    expect(after.s3.clientsGone - before.s3.clientsGone).toBe(200);
    expect(listed.KeyCount).toBe(0);
  });
});

describe('keys', () => {
  /** Every byte class S3 names: safe, "may need special handling", "to avoid", and multibyte UTF-8. */
  const CLASSES = {
    safe: "keys/safe/AZaz09!-_.*'()",
    special: 'keys/special/& $ @ = ; : + , ?',
    avoid: 'keys/avoid/\\{^}%`]">[~<#|',
    multibyte: 'keys/multibyte/é€中文😀',
    dots: 'keys/dots/../../../outside',
    runs: 'keys/runs//a///b',
    leading: '/keys-leading-slash',
    folder: 'keys/folder/',
    'folder object': 'keys/folder',
    'folder child': 'keys/folder/child',
    'long segment': `keys/long/${'s'.repeat(300)}/${'t'.repeat(400)}`,
  };

  it('stores, reads back and lists each key S3 allows, one object per key', async () => {
    for (const [name, key] of Object.entries(CLASSES)) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: name }));
    }

    const readBack: Record<string, string | undefined> = {};
    for (const [name, key] of Object.entries(CLASSES)) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      readBack[name] = await object.Body?.transformToString();
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'keys/' }));
    const expected = Object.values(CLASSES)
      .filter((k) => k.startsWith('keys/'))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const wrong = Object.keys(CLASSES).filter((name) => readBack[name] !== name).length;
    record({
      fault: 'keys of every byte class S3 names, `..`, `/` runs, folders, 700-byte segments',
      tried: Object.keys(CLASSES).length,
      survived: Object.keys(CLASSES).length - wrong,
      lost: wrong,
    });
    expect(readBack).toEqual(Object.fromEntries(Object.keys(CLASSES).map((name) => [name, name])));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(expected);
  });

  it('keeps keys with control characters (NUL included) apart and readable', async () => {
    const keys = ['keys-ctl/\u0000', 'keys-ctl/\u0001\u001f', 'keys-ctl/tab\tnewline\n', 'keys-ctl/\u007f'];
    for (const key of keys)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(key) }));

    let wrong = 0;
    for (const key of keys) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((await object.Body?.transformToString()) !== JSON.stringify(key)) wrong += 1;
    }
    record({
      fault: 'keys with control characters (NUL, tab, newline, DEL)',
      tried: keys.length,
      survived: keys.length - wrong,
      lost: wrong,
    });
    expect(wrong).toBe(0);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keys[0] }));
    expect(await exists(keys[0] as string)).toBe(false);
    expect(await exists(keys[1] as string)).toBe(true);
  });

  it('takes a key of exactly 1,024 bytes and refuses 1,025 with KeyTooLongError', async () => {
    const key1024 = `keys-limit/${'é'.repeat(506)}x`;
    const key1025 = `${key1024}y`;
    expect(Buffer.byteLength(key1024)).toBe(1024);

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key1024, Body: 'ok' }));
    const refused = await s3
      .send(new PutObjectCommand({ Bucket: bucket, Key: key1025, Body: 'no' }))
      .catch((e: Error) => e);

    const kept = await exists(key1024);
    const refusedAsS3 = (refused as Error).name === 'KeyTooLongError';
    record({
      fault: 'keys of 1,024 bytes (stored) and 1,025 (KeyTooLongError)',
      tried: 2,
      survived: Number(kept) + Number(refusedAsS3),
      lost: kept ? 0 : 1,
    });
    expect(kept).toBe(true);
    expect(refusedAsS3).toBe(true);
  });

  it('keeps every object inside its bucket folder, whatever its key', () => {
    const root = join(dataDir, 's3');
    const outside = readdirSync(root).filter((name) => !statSync(join(root, name)).isDirectory());
    expect(outside).toEqual([]);
    expect(readdirSync(join(root, bucket)).sort()).toEqual(expect.arrayContaining(['objects']));
  });
});

describe('generated requests', () => {
  let tally: FuzzTally;

  it(`answers ${FUZZ_REQUESTS} generated requests to every operation without a crash or an internal error (seed ${FUZZ_SEED})`, async () => {
    const requests = fuzzRequests(await fuzzContext(stack.endpoint), {
      seed: FUZZ_SEED,
      count: FUZZ_REQUESTS,
    });

    tally = await sendAll(stack.endpoint, requests, 8);

    const stats = await stack.stats();
    record({
      fault: `generated requests, ${tally.byOperation.size} operations (seed ${FUZZ_SEED})`,
      tried: tally.sent,
      survived: stats.internalErrors === 0 && (await isUp()) ? tally.sent - tally.failures.length : 0,
      lost: 0,
    });
    const report = `FUZZ_SEED=${FUZZ_SEED}: ${tally.failures.length} failures, ${stats.internalErrors} internal errors (stack log: ${stack.logPath})\n${tally.failures.slice(0, 20).map(describeFailure).join('\n')}`;
    if (tally.failures.length > 0 || stats.internalErrors > 0) console.error(report);
    expect(tally.sent).toBe(FUZZ_REQUESTS);
    expect(tally.failures.map(describeFailure), report).toEqual([]);
    expect(stats.internalErrors, report).toBe(0);
    expect(await isUp()).toBe(true);
    console.log(
      `fuzz (seed ${FUZZ_SEED}): ${tally.sent} requests over ${tally.byOperation.size} operations; answers: ${[
        ...tally.byAnswer,
      ]
        .sort((a, b) => b[1] - a[1])
        .map(([answer, n]) => `${answer} ×${n}`)
        .join(', ')}`,
    );
  }, 240_000);
});

describe('afterwards', () => {
  it('still takes a normal drop end to end to exactly one terminal event', async () => {
    await stack.admin('DELETE', '/_local/faults');
    const target = await connect(stack.endpoint, join(dataDir, 'events.jsonl'));
    try {
      const drops = [await dropModel(target, 'after-the-faults')];

      await settle(target, drops, 'after-the-faults', 60_000);

      const row = await audit(target, 'a normal drop after all of the above', drops, 'after-the-faults');
      record({
        fault: row.fault,
        tried: row.drops,
        survived: row.drops - row.lost - row.duplicated,
        lost: row.lost + row.duplicated,
      });
      expect(row.problems).toEqual([]);
      expect(row).toMatchObject({ lost: 0, duplicated: 0, orphaned: 0, events: 2 });
    } finally {
      target.destroy();
    }
    expect((await stack.stats()).internalErrors).toBe(0);
  });

  it('leaves no state file corrupt, and starts again on its state', async () => {
    const corrupt = stateFiles(dataDir).filter((file) => !parses(file));
    expect(corrupt).toEqual([]);

    await stack.stop();
    stack = await startChildStack({ dataDir, ...OPTIONS, port: stack.port, keepState: true });

    expect(await isUp()).toBe(true);
    expect(await exists(`models/${'k'.repeat(1000)}.tar.gz`)).toBe(true);
    expect((await stack.stats()).internalErrors).toBe(0);
  });
});

/** Every JSON and JSON-lines file under `dir`, object data aside. */
function stateFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => /\.jsonl?$/.test(path) && statSync(path).isFile());
}

function parses(path: string): boolean {
  try {
    const text = readFileSync(path, 'utf8');
    if (path.endsWith('.jsonl')) for (const line of text.split('\n').filter(Boolean)) JSON.parse(line);
    else JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The rows as a Markdown table, as docs/reliability.md shows them. */
function formatRows(table: Row[]): string {
  const lines = table.map((r) => `| ${r.fault} | ${r.tried} | ${r.survived} | ${r.lost} |`);
  return ['| client fault | tried | survived | lost |', '|---|--:|--:|--:|', ...lines].join('\n');
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

// Keeps the framing helper honest: an aws-chunked body decodes to its payload.
it('frames aws-chunked bodies as SDK v3 streams them', () => {
  expect(awsChunked(Buffer.from('abc'), 2).toString()).toBe(
    '2\r\nab\r\n1\r\nc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
  );
});
