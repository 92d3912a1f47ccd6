import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeOfError, UsageError } from '../../src/cli/errors';
import { parseSince } from '../../src/cli/format';
import { describeBody } from '../../src/client/dlq-redrive';
import {
  CredentialsError,
  DropInterruptedError,
  EndpointUnreachableError,
  FileReadError,
  JobNotFoundError,
  StackNotRunningError,
} from '../../src/client/errors';
import { explainError } from '../../src/client/explain-error';
import { resolveTarget } from '../../src/client/target';
import { DropError } from '../../src/drop/drop-plan';
import { formatDuration } from '../../src/text-format';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });

describe('explainError', () => {
  it('says to run npm start when the endpoint refuses connections, also inside an AggregateError', () => {
    const aggregate = Object.assign(new AggregateError([refused(), refused()], ''), { code: 'ECONNREFUSED' });
    for (const error of [refused(), aggregate, new TypeError('fetch failed', { cause: refused() })]) {
      const explained = explainError(error, 'http://127.0.0.1:4566');
      expect(explained).toBeInstanceOf(StackNotRunningError);
      expect((explained as Error).message).toContain('is `npm start` running?');
    }
    expect(explainError(refused(), undefined)).toBeInstanceOf(EndpointUnreachableError);
  });

  it('says how to get credentials, and leaves other errors alone', () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(explainError(missing, undefined)).toBeInstanceOf(CredentialsError);
    expect((explainError(missing, undefined) as Error).message).toContain(
      'set AWS_ENDPOINT_URL for the local stack',
    );
    const other = Object.assign(new Error('bad'), { name: 'ValidationException' });
    expect(explainError(other, undefined)).toBe(other);
  });
});

describe('exit codes of errors', () => {
  it('maps the client library’s and the drop’s named errors to exit codes, and nothing else', () => {
    const cause = new Error('EIO');
    expect(
      [
        new UsageError('bad'),
        new StackNotRunningError('http://localhost:4566'),
        new DropError('no files'),
        new JobNotFoundError('j'),
        new FileReadError('a.bin', cause),
        new DropInterruptedError('interrupted'),
        new Error('a bug'),
        Object.assign(new Error('x'), { name: 'ValidationException' }),
      ].map(exitCodeOfError),
    ).toEqual([
      EXIT_CODES.usage,
      EXIT_CODES.usage,
      EXIT_CODES.usage,
      EXIT_CODES.unknown,
      EXIT_CODES.incomplete,
      EXIT_CODES.interrupted,
      undefined,
      undefined,
    ]);
  });
});

describe('targets and formats', () => {
  it('targets the local stack, stage local, when AWS_ENDPOINT_URL is set; else AWS, stage dev', () => {
    expect(resolveTarget({}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toEqual({
      stage: 'local',
      endpoint: 'http://127.0.0.1:4566',
      local: true,
      region: 'us-east-1',
    });
    expect(resolveTarget({ profile: 'ops' }, {})).toEqual({ stage: 'dev', local: false, profile: 'ops' });
    expect(resolveTarget({ stage: 'prod', region: 'eu-west-1' }, { AWS_REGION: 'us-west-2' })).toMatchObject({
      stage: 'prod',
      region: 'eu-west-1',
    });
  });

  it('parses --since as a duration back from now or a date', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(parseSince('30m', now).toISOString()).toBe('2026-11-20T11:30:00.000Z');
    expect(parseSince('2d', now).toISOString()).toBe('2026-11-18T12:00:00.000Z');
    expect(parseSince('2026-11-01', now).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow(UsageError);
  });

  it('formats durations', () => {
    expect([45, 125, 3720, 3 * 86_400 + 4 * 3600].map(formatDuration)).toEqual([
      '45s',
      '2m 05s',
      '1h 02m',
      '3d 4h',
    ]);
  });

  it('names the objects of a dead-lettered S3 notification, decoded', () => {
    const body = JSON.stringify({
      Records: [{ s3: { bucket: { name: 'b' }, object: { key: 'models/Llama+3%2B.tar.gz' } } }],
    });
    expect(describeBody(body)).toEqual({ objects: [{ bucket: 'b', key: 'models/Llama 3+.tar.gz' }] });
    expect(describeBody('{"Event":"s3:TestEvent"}')).toEqual({ objects: [], body: 's3:TestEvent' });
    expect(describeBody('not json')).toEqual({ objects: [], body: 'not json' });
  });
});
