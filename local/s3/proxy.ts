/**
 * One S3 request from a client to s3rver and back, streamed both ways. Every leg's end is
 * handled: a client that goes away (mid-headers, mid-body, mid-download) ends the upstream
 * request too, so s3rver's store discards the upload (no object, no notification, no open
 * file); an aws-chunked body that breaks its framing is answered `400 IncompleteBody`; s3rver
 * answering early (an error before the body was read) is passed on. Nothing here throws.
 */
import http from 'node:http';
import S3Error from 's3rver/lib/models/error.js';
import {
  AwsChunkedDecodeError,
  AwsChunkedDecoder,
  decodedContentLength,
  decodedHeaders,
  isAwsChunked,
} from './aws-chunked';
import { s3RequestTarget } from './request-target';

/** What the proxy has seen, for `/_local/stats`. */
export interface S3ProxyStats {
  requests: number;
  /** Requests whose client went away before the answer was complete. */
  clientsGone: number;
}

export interface S3Proxy {
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  stats: S3ProxyStats;
  close(): void;
}

/** A proxy to the s3rver at `port`; `onInternalError` hears of what only a bug explains. */
export function createS3Proxy(
  port: number,
  onInternalError: (error: unknown, path: string) => void,
): S3Proxy {
  // s3rver keeps idle connections for ../edge/keep-alive's 65 s; `timeout` also makes the agent
  // honour its `Keep-Alive: timeout=65` hint (Node ignores the hint without it), so an idle
  // socket is dropped a second before s3rver would close it, never reused as s3rver closes it.
  const agent = new http.Agent({ keepAlive: true, timeout: 60_000 });
  const stats: S3ProxyStats = { requests: 0, clientsGone: 0 };
  return {
    stats,
    close: () => agent.destroy(),
    handle: (req, res) =>
      new Promise<void>((resolve) => {
        stats.requests += 1;
        forward(req, res, port, agent, {
          done: resolve,
          clientGone: () => {
            stats.clientsGone += 1;
          },
          internalError: (error) => onInternalError(error, (req.url ?? '/').split('?', 1)[0] ?? '/'),
        });
      }),
  };
}

interface Outcome {
  done(): void;
  clientGone(): void;
  internalError(error: unknown): void;
}

function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  port: number,
  agent: http.Agent,
  outcome: Outcome,
): void {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    outcome.done();
  };
  let target: ReturnType<typeof s3RequestTarget>;
  try {
    target = s3RequestTarget(req.url ?? '/', req.headers);
  } catch (error) {
    answerError(res, error);
    res.once('close', finish);
    return;
  }
  const chunked = isAwsChunked(target.headers);
  const bodyless = !chunked && hasNoBody(req);
  const headers = {
    ...(chunked ? decodedHeaders(target.headers) : target.headers),
    host: `127.0.0.1:${port}`,
  };
  let answered = false;
  let clientGone = false;
  /** Set before the proxy destroys the upstream request itself: its error is then expected. */
  let abandoned = false;
  let retried = false;

  const open = (): http.ClientRequest => {
    const request = http.request({
      host: '127.0.0.1',
      port,
      agent,
      method: req.method,
      path: target.path,
      // Path-style only: a client's Host could make s3rver read the bucket from it.
      headers,
    });
    request.on('response', (response) => {
      answered = true;
      response.on('error', () => res.destroy());
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    });
    request.on('error', (error) => {
      if (abandoned || finished) return;
      if (answered) {
        // s3rver answered (e.g. refused the request) and closed before taking the whole body.
        req.unpipe();
        req.resume();
        return;
      }
      // A pooled socket that s3rver closed as this request went out on it: nothing reached
      // s3rver, so a request without a body is sent again on a new socket, once, as Node's
      // documentation advises for keep-alive agents (request.reusedSocket). A request with a
      // body cannot be replayed: its bytes are gone.
      if (
        bodyless &&
        request.reusedSocket &&
        !retried &&
        (error as NodeJS.ErrnoException).code === 'ECONNRESET'
      ) {
        retried = true;
        upstream = open();
        upstream.end();
        return;
      }
      outcome.internalError(error);
      answerError(res, new S3Error('InternalError', 'We encountered an internal error. Please try again.'));
    });
    return request;
  };
  let upstream = open();

  // The client went away: before the whole request arrived, or before the whole answer left.
  const onClientGone = () => {
    if (clientGone || res.writableFinished) return;
    clientGone = true;
    outcome.clientGone();
    abandoned = true;
    upstream.destroy();
    res.destroy();
    finish();
  };
  req.on('aborted', onClientGone);
  req.on('error', onClientGone);
  res.on('close', () => {
    if (!res.writableFinished) onClientGone();
    else finish();
  });

  if (bodyless) {
    req.resume();
    upstream.end();
    return;
  }
  const body = chunked ? new AwsChunkedDecoder(decodedContentLength(target.headers)) : undefined;
  if (body) {
    body.on('error', (error) => {
      abandoned = true;
      upstream.destroy();
      if (clientGone) return;
      req.unpipe();
      req.resume();
      answerError(
        res,
        error instanceof AwsChunkedDecodeError
          ? new S3Error(
              'IncompleteBody',
              `The request body is not valid aws-chunked encoding: ${error.message}`,
            )
          : error,
      );
    });
    req.pipe(body).pipe(upstream);
  } else {
    req.pipe(upstream);
  }
}

/** A request that announces no body: neither a length above 0 nor a chunked transfer. */
function hasNoBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0);
}

/** Answers an S3 error as XML (anything else as InternalError), unless an answer has begun. */
function answerError(res: http.ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const s3 =
    error instanceof S3Error ? error : new S3Error('InternalError', 'We encountered an internal error.');
  const body = s3.toXML();
  res.writeHead(s3.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    // The request body may not have been read: do not keep the connection for another request.
    connection: 'close',
  });
  res.end(body);
}
