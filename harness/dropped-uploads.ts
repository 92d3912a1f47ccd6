/**
 * Uploads as a client that goes away sends them: the request is written to a raw socket, which
 * is dropped at a chosen point (in the headers, mid-body, just before the end). A raw socket,
 * not an HTTP client, because only it can stop at an exact byte. Shared by the client-fault
 * suite (test/clients) and `npm run bench:clients`.
 */
import { connect, type Socket } from 'node:net';

/** The four ways an object's bytes reach S3. */
export const UPLOAD_KINDS = ['put', 'multipart-part', 'aws-chunked', 'presigned-put'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

/** Where the client stops. */
export const ABORT_POINTS = ['headers', 'mid-body', 'before-end'] as const;
export type AbortPoint = (typeof ABORT_POINTS)[number];

export interface UploadTarget {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
}

/** S3's path encoding of a key: every byte but unreserved characters and `/`. */
export function keyPath(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

const SIGV4_HEADER =
  'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00';
const PRESIGN_QUERY =
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00';

/** The bytes of a whole upload request of `body`, as the given kind frames it. */
export function uploadRequest(
  target: UploadTarget,
  kind: UploadKind,
  key: string,
  body: Buffer,
  uploadId = '',
): Buffer {
  const host = new URL(target.endpoint).host;
  const path = `/${target.bucket}/${keyPath(key)}`;
  const head = (target: string, headers: Record<string, string | number>) =>
    Buffer.from(
      `PUT ${target} HTTP/1.1\r\nhost: ${host}\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
    );
  switch (kind) {
    case 'put':
      return Buffer.concat([
        head(path, {
          authorization: SIGV4_HEADER,
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          'content-length': body.length,
        }),
        body,
      ]);
    case 'presigned-put':
      return Buffer.concat([head(`${path}?${PRESIGN_QUERY}`, { 'content-length': body.length }), body]);
    case 'multipart-part':
      return Buffer.concat([
        head(`${path}?partNumber=1&uploadId=${uploadId}`, {
          authorization: SIGV4_HEADER,
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          'content-length': body.length,
        }),
        body,
      ]);
    case 'aws-chunked': {
      const framed = awsChunked(body, 64 * 1024);
      return Buffer.concat([
        head(path, {
          authorization: SIGV4_HEADER,
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': body.length,
          'x-amz-trailer': 'x-amz-checksum-crc32',
          'content-length': framed.length,
        }),
        framed,
      ]);
    }
  }
}

/** `body` in aws-chunked framing (unsigned, with a checksum trailer), as SDK v3 streams it. */
export function awsChunked(body: Buffer, chunkSize: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkSize) {
    const chunk = body.subarray(at, at + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'));
  return Buffer.concat(parts);
}

/** How many bytes of `request` the client sends before it goes away. */
export function abortOffset(request: Buffer, point: AbortPoint): number {
  const headerEnd = request.indexOf('\r\n\r\n') + 4;
  switch (point) {
    case 'headers':
      return Math.floor(headerEnd / 2);
    case 'mid-body':
      return headerEnd + Math.floor((request.length - headerEnd) / 2);
    case 'before-end':
      return request.length - 1;
  }
}

/**
 * Writes the first `bytes` of `request` and drops the connection: a reset (as a killed process
 * or a lost network leaves it) or an orderly close (Ctrl-C of a client that closes its socket).
 * Resolves once the socket is closed. The stack answers nothing, or an error; never a success.
 *
 * By default the drop comes 20 ms after the write. With `arrived`, it comes once the stack
 * says it has the request (up to 10 s): on a loaded machine 20 ms can pass before the stack
 * reads the headers, and a reset then discards them unread, so the stack never sees a client
 * to lose. Tests that count what the stack saw need that certainty.
 */
export function sendAndDrop(
  endpoint: string,
  request: Buffer,
  bytes: number,
  how: 'reset' | 'close',
  arrived?: () => Promise<boolean>,
): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket: Socket = connect({ host: hostname, port: Number(port) });
    socket.on('data', (data) => {
      received += data.toString('latin1');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The stack may reset a connection it has given up on; that is not the test's failure.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => resolve(received));
    socket.on('connect', () => {
      const drop = () => (how === 'reset' ? socket.resetAndDestroy() : socket.destroy());
      socket.write(request.subarray(0, bytes), () => {
        // Give the stack a moment to start on what it has, so the drop lands mid-request.
        if (arrived) void waitFor(arrived, 10_000).then(drop, drop);
        else setTimeout(drop, 20);
      });
    });
  });
}

/** Writes a whole request and resolves with the raw response (the stack closes the connection). */
export function sendWhole(endpoint: string, request: Buffer): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(30_000, () => socket.destroy(new Error('no response within 30 s')));
    socket.on('data', (data) => {
      received += data.toString('latin1');
      // One response is enough; keep-alive would otherwise hold the socket open.
      if (/\r\n\r\n/.test(received) && responseComplete(received)) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.on('connect', () => socket.write(request));
  });
}

function responseComplete(raw: string): boolean {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const length = /\r\ncontent-length: *(\d+)/i.exec(raw.slice(0, headerEnd));
  if (length) return raw.length - headerEnd - 4 >= Number(length[1]);
  return /\r\ntransfer-encoding: *chunked/i.test(raw.slice(0, headerEnd)) ? raw.endsWith('0\r\n\r\n') : true;
}

/** The status code of a raw HTTP response, or 0 when there was none. */
export function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
}

/** Starts a multipart upload (`POST ?uploads`) and returns its id. */
export async function createMultipartUpload(target: UploadTarget, key: string): Promise<string> {
  const response = await fetch(`${target.endpoint}/${target.bucket}/${keyPath(key)}?uploads`, {
    method: 'POST',
    headers: { authorization: SIGV4_HEADER },
  });
  const text = await response.text();
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
  if (!response.ok || !id) throw new Error(`CreateMultipartUpload: ${response.status} ${text}`);
  return id;
}

/** Sends an upload of `kind` and drops it at `point`; resolves with what the stack answered, if anything. */
export async function abortedUpload(
  target: UploadTarget,
  kind: UploadKind,
  point: AbortPoint,
  key: string,
  body: Buffer,
  how: 'reset' | 'close' = 'reset',
  stackRequests?: () => Promise<number>,
): Promise<string> {
  const uploadId = kind === 'multipart-part' ? await createMultipartUpload(target, key) : '';
  const request = uploadRequest(target, kind, key, body, uploadId);
  const baseline = stackRequests ? await stackRequests() : 0;
  const arrived = stackRequests ? async () => (await stackRequests()) > baseline : undefined;
  return sendAndDrop(target.endpoint, request, abortOffset(request, point), how, arrived);
}

async function waitFor(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
