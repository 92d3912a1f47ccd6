/**
 * The edge: one HTTP endpoint for every local service, as LocalStack has. JSON-protocol calls
 * are routed by `x-amz-target`; AWS query-protocol calls (SNS) by their form body; everything
 * else is S3. `/_local/*` is the stack's own admin API. Credentials are never checked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError } from '../aws-error';
import {
  type AwsJsonContentType,
  awsJsonErrorResponse,
  type EmulatorHttpResponse,
  handleAwsJsonRequest,
} from '../aws-json';
import type { S3Service } from '../s3/s3-service';
import type { SnsService } from '../sns/service';

export interface JsonService {
  targetPrefix: string;
  contentType: AwsJsonContentType;
  handle(operation: string, input: unknown): Promise<unknown>;
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
  onRequestError?: (error: unknown) => void;
}

export interface Edge {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the edge; resolves once it listens. */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const services = new Map(options.jsonServices.map((s) => [s.targetPrefix, s]));
  const server = http.createServer((req, res) => {
    route(req, res, options, services).catch((error: unknown) => {
      options.onRequestError?.(error);
      if (!res.headersSent) send(res, awsJsonErrorResponse('application/x-amz-json-1.1', error));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
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
    const text = await readBody(req);
    const result = await options.admin(req.method ?? 'GET', path, text ? JSON.parse(text) : undefined);
    send(res, {
      statusCode: result.statusCode,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result.body, null, 2),
    });
    return;
  }
  const target = header(req, 'x-amz-target');
  if (target) {
    const prefix = target.slice(0, target.indexOf('.'));
    const service = services.get(prefix);
    const bodyText = await readBody(req);
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
    send(
      res,
      await handleAwsJsonRequest({
        contentType: service.contentType,
        targetPrefix: prefix,
        target,
        bodyText,
        handle: (op, input) => service.handle(op, input),
      }),
    );
    return;
  }
  if (isQueryProtocol(req, path)) {
    send(res, options.sns.handle(new URLSearchParams(await readBody(req))));
    return;
  }
  await options.s3.handle(req, res);
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

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: http.ServerResponse, response: EmulatorHttpResponse): void {
  res.writeHead(response.statusCode, {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body),
  });
  res.end(response.body);
}
