import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobNameFor, slugify } from '../../src/job/job-name';
import { JOB_NAME_MAX_LENGTH, JOB_NAME_PATTERN } from '../../src/sagemaker-api/limits';

const modelId = fc.string({ unit: 'grapheme', minLength: 0, maxLength: 300 });
const drop = fc.record({
  bucket: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
  key: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1024 }),
  version: fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
});

describe('jobNameFor', () => {
  it('always yields a valid job name, whatever the model id and drop', () => {
    fc.assert(
      fc.property(modelId, drop, (id, d) => {
        const name = jobNameFor(id, d);
        expect(name.length).toBeLessThanOrEqual(JOB_NAME_MAX_LENGTH);
        expect(name).toMatch(JOB_NAME_PATTERN);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same drop the same name every time', () => {
    fc.assert(fc.property(modelId, drop, (id, d) => jobNameFor(id, d) === jobNameFor(id, { ...d })));
  });

  it('gives different drops different names', () => {
    fc.assert(
      fc.property(modelId, drop, drop, (id, a, b) => {
        fc.pre(a.bucket !== b.bucket || a.key !== b.key || a.version !== b.version);
        expect(jobNameFor(id, a)).not.toBe(jobNameFor(id, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart two versions of the same key', () => {
    const base = { bucket: 'b', key: 'models/m.tar.gz' };
    expect(jobNameFor('m', { ...base, version: 'v1' })).not.toBe(jobNameFor('m', { ...base, version: 'v2' }));
  });

  it('starts with a readable slug of the model id', () => {
    expect(jobNameFor('Llama 3/8B_Instruct', { bucket: 'b', key: 'k' })).toMatch(
      /^llama-3-8b-instruct-[0-9a-f]{10}$/,
    );
  });
});

describe('slugify', () => {
  it.each([
    ['tiny-llm', 'tiny-llm'],
    ['My Model+v2 é', 'my-model-v2-e'],
    ['---', 'model'],
    ['模型', 'model'],
    ['a'.repeat(100), 'a'.repeat(52)],
  ])('%s → %s', (id, slug) => {
    expect(slugify(id)).toBe(slug);
  });
});
