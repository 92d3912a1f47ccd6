/**
 * Client faults: what clients do to the local stack that the pipeline never does. Uploads
 * dropped at every point, keys S3 allows but file systems do not, malformed protocol bodies.
 * The stack runs in a child process, so a fault that kills it shows as a dead process, not as
 * a dead test runner. Afterwards it must still be up with no internal error counted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  abortedUpload,
  abortOffset,
  awsChunked,
  sendWhole,
  statusOf,
  uploadRequest,
} from '../../bench/clients/uploads';
import { type ChildStack, startChildStack } from '../../local/child-stack';
import { connect, type Target } from '../faults/support/target';

let stack: ChildStack;
let target: Target;

/** True while the stack's process lives and answers. */
async function isUp(): Promise<boolean> {
  try {
    process.kill(stack.pid, 0);
    await stack.admin('GET', '/_local/health');
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'mop-clients-')), 'data');
  stack = await startChildStack({ dataDir, speed: 400, env: { LOCAL_FUNCTION_LOG_LEVEL: 'SILENT' } });
  target = await connect(stack.endpoint, join(dataDir, 'events.jsonl'));
});

afterAll(async () => {
  target?.destroy();
  await stack?.stop();
});

describe('the five cases of issue 14', () => {
  it('survives an upload whose client goes away mid-body', async () => {
    await abortedUpload(target, 'put', 'mid-body', 'models/gone.tar.gz', Buffer.alloc(8 << 20, 1));

    expect(await isUp()).toBe(true);
  });

  it('stores and lists a valid S3 key that is not a valid file name (1,014 bytes, one segment)', async () => {
    const key = `models/${'k'.repeat(1000)}.tar.gz`;
    const response = await fetch(`${target.endpoint}/${target.bucket}/${key}`, {
      method: 'PUT',
      body: 'not a tarball',
    });

    expect(response.status).toBe(200);
    expect(await isUp()).toBe(true);
  });

  it('answers a truncated aws-chunked body with 400, and stays up', async () => {
    const whole = uploadRequest(target, 'aws-chunked', 'models/truncated.tar.gz', Buffer.alloc(200_000, 2));
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

    const response = await sendWhole(target.endpoint, truncated);

    expect(statusOf(response)).toBe(400);
    expect(await isUp()).toBe(true);
  });

  it('answers a malformed PutEvents body with a 400 naming the member', async () => {
    const response = await fetch(target.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ Entries: 'notalist' }),
    });
    const body = (await response.json()) as { __type: string; message: string };

    expect(response.status).toBe(400);
    expect(body.__type).toMatch(/^(SerializationException|ValidationException)$/);
    expect(body.message).toMatch(/Entries/);
  });
});

// Keeps the framing helper honest: an aws-chunked body decodes to its payload.
it('frames aws-chunked bodies as SDK v3 streams them', () => {
  expect(awsChunked(Buffer.from('abc'), 2).toString()).toBe(
    '2\r\nab\r\n1\r\nc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
  );
});
