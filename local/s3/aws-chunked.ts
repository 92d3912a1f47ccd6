/**
 * Decodes `Content-Encoding: aws-chunked` request bodies (SigV4 streaming uploads, with or
 * without trailing checksums). The AWS SDK sends streamed PutObject/UploadPart bodies this way
 * by default; a store that took the body as is would keep the chunk framing as object data. Written by hand because no
 * maintained npm package decodes this framing; the format is AWS's "SigV4 streaming" spec:
 *   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n … 0[;…]\r\n[<trailer>:<value>\r\n]*\r\n
 *
 * Linear in time and constant in memory: payload bytes are passed on as views of the chunks
 * that carried them (never copied or concatenated), and only a framing line that spans two
 * chunks is held, up to {@link MAX_LINE_BYTES}.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** The body is not valid aws-chunked framing, or ended before its last chunk. */
export class AwsChunkedDecodeError extends Error {
  override readonly name = 'AwsChunkedDecodeError';
}

/** Longest framing line accepted: a chunk header with its signature, or one trailer. */
export const MAX_LINE_BYTES = 4096;

type State = 'header' | 'data' | 'data-end' | 'trailer' | 'done';

const LF = 0x0a;
const CHUNK_HEADER = /^([0-9a-fA-F]{1,13})(;.*)?$/;

/** A Transform from an aws-chunked body to the payload bytes. */
export class AwsChunkedDecoder extends Transform {
  private state: State = 'header';
  private remaining = 0;
  private decoded = 0;
  /** The start of a framing line whose end has not arrived yet. */
  private partial: Buffer[] = [];
  private partialLength = 0;

  /** @param decodedLength `x-amz-decoded-content-length`, when the client sent it: the payload must be exactly that long. */
  constructor(private readonly decodedLength?: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state !== 'done') {
      callback(new AwsChunkedDecodeError(`aws-chunked body ended in state ${this.state}`));
    } else if (this.decodedLength !== undefined && this.decoded !== this.decodedLength) {
      callback(
        new AwsChunkedDecodeError(
          `aws-chunked body carried ${this.decoded} bytes; x-amz-decoded-content-length says ${this.decodedLength}`,
        ),
      );
    } else {
      callback();
    }
  }

  private consume(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, chunk.length - at);
        this.decoded += take;
        if (this.decodedLength !== undefined && this.decoded > this.decodedLength) {
          throw new AwsChunkedDecodeError('aws-chunked body is longer than x-amz-decoded-content-length');
        }
        this.push(chunk.subarray(at, at + take));
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'done')
        throw new AwsChunkedDecodeError('bytes after the end of the aws-chunked body');
      const lineEnd = chunk.indexOf(LF, at);
      if (lineEnd < 0) {
        this.hold(chunk.subarray(at));
        return;
      }
      this.hold(chunk.subarray(at, lineEnd + 1));
      at = lineEnd + 1;
      this.onLine(this.takeLine());
    }
  }

  private hold(bytes: Buffer): void {
    this.partialLength += bytes.length;
    if (this.partialLength > MAX_LINE_BYTES) {
      throw new AwsChunkedDecodeError(`aws-chunked framing line longer than ${MAX_LINE_BYTES} bytes`);
    }
    this.partial.push(bytes);
  }

  /** The held line without its CRLF. */
  private takeLine(): string {
    const line = Buffer.concat(this.partial, this.partialLength).toString('latin1');
    this.partial = [];
    this.partialLength = 0;
    if (!line.endsWith('\r\n')) throw new AwsChunkedDecodeError('aws-chunked framing line not ended by CRLF');
    return line.slice(0, -2);
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'header': {
        const hex = CHUNK_HEADER.exec(line)?.[1];
        if (hex === undefined) throw new AwsChunkedDecodeError(`bad chunk header: ${line.slice(0, 80)}`);
        this.remaining = Number.parseInt(hex, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
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

/** `x-amz-decoded-content-length` as a number, when present and well formed. */
export function decodedContentLength(
  headers: Record<string, string | string[] | undefined>,
): number | undefined {
  const value = headers['x-amz-decoded-content-length'];
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * The headers a decoded body travels with: no aws-chunked encoding, no trailers, and no
 * length. Without a length the body goes on in HTTP chunks, and its receiver sees it end only
 * when the decoder ends it, after the last framing byte: given the decoded length, a receiver
 * would take the body as whole once the payload was through, even if the client went away
 * before sending the rest of the framing.
 */
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
  for (const name of ['content-length', 'x-amz-decoded-content-length', 'x-amz-trailer', 'transfer-encoding'])
    delete out[name];
  out['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  return out;
}
