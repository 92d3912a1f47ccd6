import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobNameFor, settleExecutionName, slugify, variantJobNameFor } from '../../src/job/job-name';
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

const variant = fc.stringMatching(/^[a-z0-9-]{1,20}$/);

describe('variantJobNameFor', () => {
  it('always yields a valid job name, whatever the model id, drop and variant', () => {
    fc.assert(
      fc.property(modelId, drop, variant, (id, d, v) => {
        const name = variantJobNameFor(id, d, v);
        expect(name.length).toBeLessThanOrEqual(JOB_NAME_MAX_LENGTH);
        expect(name).toMatch(JOB_NAME_PATTERN);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same drop version and variant the same name, and each variant its own', () => {
    fc.assert(
      fc.property(modelId, drop, variant, variant, (id, d, a, b) => {
        expect(variantJobNameFor(id, d, a)).toBe(variantJobNameFor(id, { ...d }, a));
        if (a !== b) expect(variantJobNameFor(id, d, a)).not.toBe(variantJobNameFor(id, d, b));
        expect(variantJobNameFor(id, d, a)).not.toBe(jobNameFor(id, d));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart two versions of the same key', () => {
    const base = { bucket: 'b', key: 'models/m/optimization.json' };
    expect(variantJobNameFor('m', { ...base, version: 'v1' }, 'awq')).not.toBe(
      variantJobNameFor('m', { ...base, version: 'v2' }, 'awq'),
    );
  });

  it('reads <slug>-<variant>-<hash>, the slug cut to fit', () => {
    expect(variantJobNameFor('Llama 3/8B', { bucket: 'b', key: 'k' }, 'awq-g5')).toMatch(
      /^llama-3-8b-awq-g5-[0-9a-f]{10}$/,
    );
    const long = variantJobNameFor('a'.repeat(100), { bucket: 'b', key: 'k' }, 'v'.repeat(20));
    expect(long).toMatch(/^a{31}-v{20}-[0-9a-f]{10}$/);
  });

  it('names the settle execution after the drop’s job name, within the 80 characters of an execution name', () => {
    const dropJob = jobNameFor('a'.repeat(100), { bucket: 'b', key: 'k' });
    expect(settleExecutionName(dropJob)).toBe(`${dropJob}-variants`);
    expect(`${settleExecutionName(dropJob)}-c9999`.length).toBeLessThanOrEqual(80);
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
