import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { S3RequestLog } from '../../local/diagnostics/s3-request-log';

const request = (method: string, url: string, headers: Record<string, string> = {}) =>
  ({ method, url, headers }) as unknown as IncomingMessage;
const response = () => Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as ServerResponse;

describe('S3RequestLog', () => {
  it('names the operation and decodes the key', () => {
    const log = new S3RequestLog();
    log.record(
      request('PUT', '/bucket/models/a%20b.bin?partNumber=3&uploadId=u', { 'content-length': '42' }),
      response(),
    );
    expect(log.list()).toMatchObject([
      { operation: 'UploadPart', bucket: 'bucket', key: 'models/a b.bin', bytes: 42, partNumber: 3 },
    ]);
  });

  it('keeps a key that is not valid percent-encoded UTF-8 as sent, instead of failing the request', () => {
    const log = new S3RequestLog();
    expect(() => log.record(request('HEAD', '/bucket/fuzz/j%24%FF%FE'), response())).not.toThrow();
    log.record(request('PUT', '/bucket/fuzz/x%ZZ'), response());
    expect(log.list().map((r) => [r.operation, r.key])).toEqual([
      ['HeadObject', 'fuzz/j%24%FF%FE'],
      ['PutObject', 'fuzz/x%ZZ'],
    ]);
  });

  it('records the status once the response closes, and drops the oldest past its capacity', () => {
    const log = new S3RequestLog(2);
    const res = response();
    log.record(request('GET', '/bucket/a'), res);
    expect(log.list()[0]?.status).toBeUndefined();
    res.emit('close');
    expect(log.list()[0]).toMatchObject({ operation: 'GetObject', status: 200 });
    log.record(request('GET', '/bucket/b'), response());
    log.record(request('GET', '/bucket/c'), response());
    expect(log.list().map((r) => r.key)).toEqual(['b', 'c']);
  });
});
