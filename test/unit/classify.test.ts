import { describe, expect, it } from 'vitest';
import { assertValidDrop, classifyObject, type Drop } from '../../src/drop/classify';
import type { S3ObjectRef } from '../../src/drop/s3-notification';
import { InvalidDropError } from '../../src/errors';

const rules = { modelsPrefix: 'models/', manifestName: 'optimization.json' };
const object = (key: string, size = 100): S3ObjectRef => ({
  bucket: 'b',
  key,
  size,
  eventName: 'ObjectCreated:Put',
  eventTime: '2026-01-01T00:00:00.000Z',
});

describe('classifyObject', () => {
  it.each([
    ['models/tiny-llm.tar.gz', 'artifact', 'tiny-llm', 'models/tiny-llm.tar.gz'],
    ['models/team/bert.tar.gz', 'artifact', 'team/bert', 'models/team/bert.tar.gz'],
    ['models/llama3/model.tar.gz', 'artifact', 'llama3', 'models/llama3/model.tar.gz'],
    ['models/tiny-llm/optimization.json', 'manifest', 'tiny-llm', 'models/tiny-llm/'],
    ['models/org/name/optimization.json', 'manifest', 'org/name', 'models/org/name/'],
    ['models/my model é/optimization.json', 'manifest', 'my model é', 'models/my model é/'],
  ])('%s is a %s drop of model %s on %s', (key, kind, modelId, sourceKey) => {
    const drop = classifyObject(object(key), rules);
    expect(drop).toMatchObject({ kind, modelId, sourceKey });
  });

  it.each([
    ['models/tiny-llm/config.json', 'not a .tar.gz artifact or a manifest'],
    ['models/tiny-llm/model-00001.safetensors', 'not a .tar.gz artifact or a manifest'],
    ['README.md', 'outside models/'],
    ['other/tiny-llm.tar.gz', 'outside models/'],
    ['models/optimization.json', 'manifest not inside a model folder'],
    ['models/.tar.gz', 'artifact has no name'],
    ['models/tiny-llm/', 'not a .tar.gz artifact or a manifest'],
  ])('ignores %s (%s)', (key, reason) => {
    expect(classifyObject(object(key), rules)).toMatchObject({ kind: 'ignored', reason });
  });

  it('honours a custom models prefix and manifest name', () => {
    const drop = classifyObject(object('in/m1/settings.json'), {
      modelsPrefix: 'in/',
      manifestName: 'settings.json',
    });
    expect(drop).toMatchObject({ kind: 'manifest', modelId: 'm1' });
  });
});

describe('assertValidDrop', () => {
  const jobDrop = (key: string, size = 100) =>
    classifyObject(object(key, size), rules) as Exclude<Drop, { kind: 'ignored' }>;
  const issuesOf = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof InvalidDropError) return error.issues;
      throw error;
    }
    return [];
  };

  it('accepts an ordinary drop', () => {
    expect(issuesOf(() => assertValidDrop(jobDrop('models/tiny-llm.tar.gz')))).toEqual([]);
  });

  it('rejects .. path segments in the key', () => {
    expect(issuesOf(() => assertValidDrop(jobDrop('models/../secrets/optimization.json')))).toEqual([
      { path: '$.key', message: expect.stringContaining("'..' path segments") },
    ]);
  });

  it('rejects control characters in the key', () => {
    expect(issuesOf(() => assertValidDrop(jobDrop('models/bad\u0007name.tar.gz')))).toEqual([
      { path: '$.key', message: expect.stringContaining('control characters') },
    ]);
  });

  it('rejects an empty .tar.gz', () => {
    expect(issuesOf(() => assertValidDrop(jobDrop('models/empty.tar.gz', 0)))).toEqual([
      { path: '$.size', message: 'the .tar.gz artifact is empty (0 bytes)' },
    ]);
  });

  it('rejects a model id too long to name a job', () => {
    const issues = issuesOf(() => assertValidDrop(jobDrop(`models/${'m'.repeat(129)}.tar.gz`)));
    expect(issues).toEqual([{ path: '$.modelId', message: 'is 129 characters; at most 128 can name a job' }]);
  });

  it('rejects a model id with no letter or digit', () => {
    expect(issuesOf(() => assertValidDrop(jobDrop('models/___.tar.gz')))).toEqual([
      { path: '$.modelId', message: 'needs a letter or digit to name a job: "___"' },
    ]);
  });
});
