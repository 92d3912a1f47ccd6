/**
 * The edge: one HTTP endpoint for every local service, as LocalStack has. JSON-protocol calls
 * are routed by `x-amz-target` (POST only); AWS query-protocol calls (SNS) by their form body
 * (POST only); everything else is S3, its GETs answered sandboxed. `/_local/*` is the stack's
 * own admin API. Credentials are never checked.
 *
 * No client can take it down: every request and response stream has its `error` handled, a
 * client that goes away only ends its own request, bodies other than S3 uploads are capped, and
 * an error a handler did not expect is answered `500 InternalFailure` for that request alone,
 * logged and counted as a bug (../internal-errors).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorSite } from '../diagnostics/internal-errors';
import { AwsServiceError } from '../protocol/aws-error';
import {
  type AwsJsonContentType,
  awsJsonErrorResponse,
  type EmulatorHttpResponse,
  handleAwsJsonRequest,
} from '../protocol/aws-json';
import { REPLAY_KEY_HEADER } from '../protocol/replay-key';
import type { S3Service } from '../s3/s3-service';
import type { SnsService } from '../sns/service';
import { keepIdleConnections } from './keep-alive';

/** What a JSON-protocol service learns of a request besides its operation and input. */
export interface JsonRequestContext {
  /** The local runner's replay key (../replay-key), when one of its Tasks made the call. */
  replayKey?: string;
}

export interface JsonService {
  targetPrefix: string;
  contentType: AwsJsonContentType;
  handle(operation: string, input: unknown, context: JsonRequestContext): Promise<unknown>;
}

export interface AdminResponse {
  statusCode: number;
  body: unknown;
}

export interface EdgeOptions {
  host: string;
  port: number;
  jsonServices: JsonService[];
  s3: S3Service;
  sns: SnsService;
  admin: (method: string, path: string, body: unknown) => Promise<AdminResponse>;
  /** Checked before any routing; a response refuses the request (local/console/request-guard.ts). */
  refuse?: (req: http.IncomingMessage, path: string) => EmulatorHttpResponse | undefined;
  /** Serves `/_local/console…` (pages, assets, streams); resolves false for a path it has not. */
  console?: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<boolean>;
  /** A bug: an error no handler expected. Default: thrown away (the request still gets its 500). */
  onInternalError?: (error: unknown, site: ErrorSite) => void;
  /** How long a connection may pass no byte either way before it is closed. Default {@link IDLE_TIMEOUT_MS}. */
  idleTimeoutMs?: number;
}

/**
 * A connection that passes no byte for this long is closed, freeing what its request held (a
 * client that slept mid-upload). There is no cap on a whole request: Node's default (300 s)
 * would cut a single 5 GiB PUT, which S3 takes, below 17 MiB/s. Ten minutes leave room for a
 * CompleteMultipartUpload that joins a model's parts before it answers.
 */
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

export interface Edge {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The largest body a JSON, query or admin request may have. AWS's own limits are lower (a
 * PutEvents request is at most 1 MiB, a StartExecution input 256 KiB); this only keeps a client
 * from filling the stack's memory. S3 bodies are streamed and not capped.
 */
export const MAX_API_BODY_BYTES = 8 * 1024 * 1024;

class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

/** The client went away before its request was read or answered: nothing to answer. */
class ClientGone extends Error {
  override readonly name = 'ClientGone';
}

/** Starts the edge; resolves once it listens. */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const services = new Map(options.jsonServices.map((s) => [s.targetPrefix, s]));
  const server = http.createServer((req, res) => {
    // A reset connection is reported on the streams; the handlers below take it from there.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    route(req, res, options, services).catch((error: unknown) => {
      if (error instanceof ClientGone || req.destroyed) {
        res.destroy();
        return;
      }
      options.onInternalError?.(error, siteOf(req));
      if (res.headersSent) res.destroy();
      else send(res, awsJsonErrorResponse('application/x-amz-json-1.1', error));
    });
  });
  keepIdleConnections(server);
  server.requestTimeout = 0;
  server.timeout = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: EdgeOptions,
  services: Map<string, JsonService>,
): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const refusal = options.refuse?.(req, path);
  if (refusal) return send(res, refusal);
  if (path.startsWith('/_local/console') && (await options.console?.(req, res, path))) return;
  if (path.startsWith('/_local/')) {
    const body = await readApiBody(req, res);
    if (body === undefined) return;
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      send(res, adminResponse({ statusCode: 400, body: { message: 'the request body is not valid JSON' } }));
      return;
    }
    send(res, adminResponse(await options.admin(req.method ?? 'GET', path, parsed)));
    return;
  }
  const target = header(req, 'x-amz-target');
  if (target) {
    // The AWS JSON protocol is POST only; a GET that dispatched would be a call any page can
    // make with a link or an <img>, and its answer readable to a same-origin (rebound) page.
    if (req.method !== 'POST') return send(res, jsonMethodNotAllowed(req.method ?? '?', target));
    const prefix = target.slice(0, target.indexOf('.'));
    const service = services.get(prefix);
    const bodyText = await readApiBody(req, res);
    if (bodyText === undefined) return;
    if (!service) {
      send(
        res,
        awsJsonErrorResponse(
          'application/x-amz-json-1.1',
          new AwsServiceError('UnknownOperationException', `No local service for ${target}`),
        ),
      );
      return;
    }
    const replayKey = header(req, REPLAY_KEY_HEADER);
    send(
      res,
      await handleAwsJsonRequest({
        contentType: service.contentType,
        targetPrefix: prefix,
        target,
        bodyText,
        handle: (op, input) => service.handle(op, input, replayKey ? { replayKey } : {}),
        onInternalError: (error) => options.onInternalError?.(error, siteOf(req)),
      }),
    );
    return;
  }
  if (isQueryProtocol(req, path)) {
    const body = await readApiBody(req, res);
    if (body === undefined) return;
    send(res, options.sns.handle(new URLSearchParams(body)));
    return;
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    // An object is served from the console's own origin: a `text/html` or SVG one (`aws s3 sync`
    // guesses those from file names) must not run as the console, whose routes take no
    // credentials. `sandbox` gives the document an opaque origin and no scripts.
    res.setHeader('content-security-policy', 'sandbox');
    res.setHeader('x-content-type-options', 'nosniff');
  }
  await options.s3.handle(req, res);
}

/**
 * A JSON-protocol call with another method than POST: `405`, as Smithy's awsJson servers
 * answer (smithy-rs: `method_disallowed`), with a message; never dispatched. Its body is not
 * read, so the connection is not kept.
 */
function jsonMethodNotAllowed(method: string, target: string): EmulatorHttpResponse {
  return {
    statusCode: 405,
    headers: { 'content-type': 'application/json', allow: 'POST', connection: 'close' },
    body: JSON.stringify({
      __type: 'MethodNotAllowed',
      message: `${target} is an AWS JSON protocol call, which is POST only; ${method} is refused`,
    }),
  };
}

/** AWS query protocol: `POST /` with a form body; the signing scope names the service. */
function isQueryProtocol(req: http.IncomingMessage, path: string): boolean {
  return (
    req.method === 'POST' &&
    path === '/' &&
    header(req, 'content-type').startsWith('application/x-www-form-urlencoded') &&
    !/\/s3\/aws4_request/.test(header(req, 'authorization'))
  );
}

function header(req: http.IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function siteOf(req: http.IncomingMessage): ErrorSite {
  const target = header(req, 'x-amz-target');
  return {
    method: req.method ?? '?',
    path: (req.url ?? '/').split('?', 1)[0] ?? '/',
    ...(target && { target }),
  };
}

/**
 * The body of a JSON, query or admin request, as UTF-8 text (invalid sequences become U+FFFD,
 * which the parsers then refuse or keep). Answers 413 itself and resolves undefined for a body
 * over {@link MAX_API_BODY_BYTES}; rejects with {@link ClientGone} when the client goes away.
 */
async function readApiBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<string | undefined> {
  try {
    return await readBody(req, MAX_API_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    res.setHeader('connection', 'close');
    send(res, {
      statusCode: 413,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        __type: 'RequestEntityTooLargeException',
        message: `Request body is over ${MAX_API_BODY_BYTES} bytes`,
      }),
    });
    return undefined;
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const gone = () => reject(new ClientGone('the client went away before its request body ended'));
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('aborted', gone);
    req.once('error', gone);
    req.once('close', () => {
      if (!req.complete) gone();
    });
  });
}

function adminResponse(response: AdminResponse): EmulatorHttpResponse {
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(response.body, null, 2),
  };
}

function send(res: http.ServerResponse, response: EmulatorHttpResponse): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(response.statusCode, {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body),
  });
  res.end(response.body);
}
