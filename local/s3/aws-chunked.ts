/**
 * Decodes `Content-Encoding: aws-chunked` request bodies (SigV4 streaming uploads, with or
 * without trailing checksums). The AWS SDK sends streamed PutObject/UploadPart bodies this way
 * by default; s3rver would store the chunk framing as object data. Written by hand because no
 * maintained npm package decodes this framing; the format is AWS's "SigV4 streaming" spec:
 *   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n … 0[;…]\r\n[<trailer>:<value>\r\n]*\r\n
 */
import { Transform, type TransformCallback } from 'node:stream';

export class AwsChunkedDecodeError extends Error {
  override readonly name = 'AwsChunkedDecodeError';
}

type State = 'header' | 'data' | 'data-end' | 'trailer' | 'done';

/** A Transform from an aws-chunked body to the payload bytes. */
export class AwsChunkedDecoder extends Transform {
  private buffer = Buffer.alloc(0);
  private state: State = 'header';
  private remaining = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    try {
      this.drain();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(
      this.state === 'done'
        ? null
        : new AwsChunkedDecodeError(`aws-chunked body ended in state ${this.state}`),
    );
  }

  private drain(): void {
    for (;;) {
      if (this.state === 'data') {
        if (this.buffer.length === 0) return;
        const take = Math.min(this.remaining, this.buffer.length);
        this.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'done') {
        this.buffer = Buffer.alloc(0);
        return;
      }
      const lineEnd = this.buffer.indexOf('\r\n');
      if (lineEnd < 0) return;
      const line = this.buffer.subarray(0, lineEnd).toString('latin1');
      this.buffer = this.buffer.subarray(lineEnd + 2);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'header': {
        const size = Number.parseInt(line.split(';', 1)[0] ?? '', 16);
        if (!Number.isFinite(size) || size < 0) throw new AwsChunkedDecodeError(`bad chunk header: ${line}`);
        this.remaining = size;
        this.state = size === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-end':
        if (line !== '') throw new AwsChunkedDecodeError('chunk data longer than its declared size');
        this.state = 'header';
        return;
      case 'trailer':
        // Trailing headers (x-amz-checksum-*, x-amz-trailer-signature) end with an empty line.
        if (line === '') this.state = 'done';
        return;
      default:
        return;
    }
  }
}

/** True when the request body is aws-chunked encoded. */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/** The headers a decoded body travels with: real length, no chunked encoding or trailers. */
export function decodedHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[] | undefined> {
  const out = { ...headers };
  const encodings = String(out['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'aws-chunked');
  if (encodings.length > 0) out['content-encoding'] = encodings.join(',');
  else delete out['content-encoding'];
  const decodedLength = out['x-amz-decoded-content-length'];
  if (decodedLength !== undefined) out['content-length'] = String(decodedLength);
  else delete out['content-length'];
  for (const name of ['x-amz-decoded-content-length', 'x-amz-trailer', 'transfer-encoding']) delete out[name];
  out['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  return out;
}
