import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { allowedHosts, requestGuard } from '../../local/console/request-guard';

const guard = requestGuard(() => 'http://127.0.0.1:4566');
const request = (headers: Record<string, string>) => ({ headers }) as unknown as http.IncomingMessage;
const status = (path: string, headers: Record<string, string>) =>
  guard(request(headers), path)?.statusCode ?? 200;

describe("the edge's request guard", () => {
  it('lets the stack’s own pages and clients through under any loopback name of its port', () => {
    expect(allowedHosts('http://127.0.0.1:4566')).toEqual(
      new Set(['127.0.0.1:4566', 'localhost:4566', '[::1]:4566']),
    );
    expect(
      status('/_local/console/api/redrive', { host: 'localhost:4566', origin: 'http://localhost:4566' }),
    ).toBe(200);
    expect(status('/_local/health', { host: '127.0.0.1:4566' })).toBe(200);
    expect(
      status('/_local/console', {
        host: '127.0.0.1:4566',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
      }),
    ).toBe(200);
  });

  it('refuses a foreign Origin on every route, the AWS APIs included (CSRF)', () => {
    expect(
      status('/_local/console/api/redrive', { host: '127.0.0.1:4566', origin: 'http://evil.example' }),
    ).toBe(403);
    expect(status('/', { host: '127.0.0.1:4566', origin: 'http://127.0.0.1:8080' })).toBe(403);
    expect(status('/bucket/models/x.tar.gz', { host: '127.0.0.1:4566', origin: 'null' })).toBe(403);
    // SDKs and CLIs send no Origin: the AWS APIs stay open to them.
    expect(status('/', { host: 'localhost:4566' })).toBe(200);
    expect(status('/bucket/models/x.tar.gz', { host: '[::1]:4566' })).toBe(200);
  });

  it('refuses a foreign Host on the local routes (DNS rebinding)', () => {
    const refusal = guard(request({ host: 'rebound.example:4566' }), '/_local/console');
    expect(refusal?.statusCode).toBe(403);
    expect(JSON.parse(refusal?.body ?? '{}').message).toBe(
      "Forbidden: Host rebound.example:4566 is not this stack's; address it as 127.0.0.1:4566, localhost:4566, [::1]:4566 (other names for this address are refused: DNS rebinding)",
    );
    expect(status('/_local/health', { host: '127.0.0.1:4567' })).toBe(403);
    expect(status('/_local/health', {})).toBe(403);
  });

  it('refuses a foreign Host on the AWS APIs too: S3 objects, listings and JSON calls (DNS rebinding)', () => {
    expect(status('/bucket/models/x.tar.gz', { host: 'rebound.example:4566' })).toBe(403);
    expect(status('/bucket', { host: 'rebound.example:4566' })).toBe(403);
    expect(status('/', { host: 'rebound.example:4566', 'x-amz-target': 'AmazonSQS.ListQueues' })).toBe(403);
    expect(status('/', { host: '127.0.0.1.rebound.example:4566' })).toBe(403);
    expect(status('/', { host: '127.0.0.1:4567' })).toBe(403);
    expect(status('/', {})).toBe(403);
    // S3 is addressed by path only here (the SDK with forcePathStyle, the AWS CLI with an
    // endpoint): a virtual-hosted name would be misread, and is refused with the rest.
    expect(status('/', { host: 'bucket.localhost:4566' })).toBe(403);
  });

  it('reads a Host without a port as port 80', () => {
    const onPort80 = requestGuard(() => 'http://localhost:80');
    expect(onPort80(request({ host: 'localhost' }), '/')).toBeUndefined();
    expect(onPort80(request({ host: '[::1]' }), '/')).toBeUndefined();
    expect(onPort80(request({ host: 'rebound.example' }), '/')?.statusCode).toBe(403);
    expect(status('/', { host: 'localhost' })).toBe(403);
  });

  it('refuses a cross-site subresource request, which carries no Origin', () => {
    expect(
      status('/_local/console/api/snapshot', {
        host: '127.0.0.1:4566',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'no-cors',
      }),
    ).toBe(403);
  });
});
