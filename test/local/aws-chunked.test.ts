import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { awsChunked } from '../../harness/dropped-uploads';
import {
  AwsChunkedDecodeError,
  AwsChunkedDecoder,
  decodedHeaders,
  MAX_LINE_BYTES,
} from '../../local/s3/aws-chunked';

/** Decodes `framed` fed in pieces of the given sizes (cycled). */
async function decode(framed: Buffer, pieces: number[] = [framed.length || 1], decodedLength?: number) {
  const parts: Buffer[] = [];
  for (let at = 0, i = 0; at < framed.length; i++) {
    const size = Math.max(1, pieces[i % pieces.length] ?? 1);
    parts.push(framed.subarray(at, at + size));
    at += size;
  }
  const decoder = new AwsChunkedDecoder(decodedLength);
  const [decoded] = await Promise.all([buffer(decoder), pipeline(Readable.from(parts), decoder)]);
  return decoded;
}

describe('the aws-chunked decoder', () => {
  it('decodes any payload, however the framed bytes are split', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
        async (payload, chunkSize, pieces) => {
          const body = Buffer.from(payload);
          expect(await decode(awsChunked(body, chunkSize), pieces, body.length)).toEqual(body);
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });

  it('decodes signed chunks (chunk-signature extensions) and bodies without trailers', async () => {
    const framed = Buffer.from('3;chunk-signature=abc\r\nabc\r\n0;chunk-signature=def\r\n\r\n');

    expect((await decode(framed)).toString()).toBe('abc');
  });

  it.each([
    ['ends mid-chunk', '5\r\nab', /ended in state data/],
    ['ends before the final empty line', '1\r\na\r\n0\r\n', /ended in state trailer/],
    ['has a chunk header that is not hex', 'zz\r\nabc\r\n0\r\n\r\n', /bad chunk header/],
    ['has more data than its chunk size', '1\r\nab\r\n0\r\n\r\n', /longer than its declared size/],
    ['has bytes after its end', '0\r\n\r\nextra', /after the end/],
    ['has a framing line longer than the limit', `1;${'x'.repeat(MAX_LINE_BYTES)}\r\n`, /longer than 4096/],
    ['has a line ended by LF alone', '1\na\r\n0\r\n\r\n', /not ended by CRLF/],
  ])('refuses a body that %s', async (_, framed, message) => {
    await expect(decode(Buffer.from(framed))).rejects.toThrow(message);
    await expect(decode(Buffer.from(framed))).rejects.toBeInstanceOf(AwsChunkedDecodeError);
  });

  it('refuses a payload longer or shorter than x-amz-decoded-content-length', async () => {
    const framed = awsChunked(Buffer.from('abcdef'), 4);

    await expect(decode(framed, [3], 5)).rejects.toThrow(/longer than x-amz-decoded-content-length/);
    await expect(decode(framed, [3], 7)).rejects.toThrow(/carried 6 bytes/);
  });

  it('holds at most one framing line, not the payload, whatever the chunk sizes', async () => {
    const decoder = new AwsChunkedDecoder();
    const pushed: Buffer[] = [];
    decoder.on('data', (chunk: Buffer) => pushed.push(chunk));
    const payload = Buffer.alloc(1 << 20, 1);
    const framed = awsChunked(payload, 1 << 16);

    await pipeline(Readable.from([framed]), decoder);

    // Each payload piece is a view of the input, not a copy.
    expect(pushed.every((piece) => piece.buffer === framed.buffer)).toBe(true);
    expect(Buffer.concat(pushed).equals(payload)).toBe(true);
  });

  it('forwards a decoded body without a length, so that its end is the decoder\u2019s', () => {
    const headers = decodedHeaders({
      'content-encoding': 'aws-chunked,gzip',
      'content-length': '100',
      'x-amz-decoded-content-length': '42',
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    });

    expect(headers).toEqual({ 'content-encoding': 'gzip', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
  });
});
