import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { humanDuration, humanTime, SNS_SUBJECT_MAX_LENGTH, snsSubject } from '../../src/notify/format';
import { parsePipelineEvent } from '../../src/notify/parse-event';
import { isTimeout, MAX_LISTED_ERRORS, type OutcomeEvent, summarise } from '../../src/notify/summary';
import { loadEvent } from '../support/events';

const outcome = (variant: string, change: (e: any) => void = () => {}): OutcomeEvent => {
  const event = loadEvent<any>(`eventbridge/${variant}.json`);
  change(event);
  return parsePipelineEvent(event) as OutcomeEvent;
};

describe('humanDuration', () => {
  it.each([
    [0, '0 s'],
    [0.4, '0 s'],
    [45, '45 s'],
    [59.6, '1 min'],
    [60, '1 min'],
    [612, '10 min 12 s'],
    [2531, '42 min 11 s'],
    [3600, '1 h'],
    [3900, '1 h 5 min'],
    [3661, '1 h 1 min'],
    [86_400 * 2 + 3 * 3600 + 59, '2 d 3 h'],
    [86_400 * 28, '28 d'],
  ])('%s s → %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });

  it('uses at most two units', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (seconds) => {
        expect(humanDuration(seconds)).toMatch(/^\d+ (d|h|min|s)( \d+ (h|min|s))?$/);
      }),
    );
  });
});

describe('humanTime', () => {
  it('shows an ISO timestamp to the second, in UTC', () => {
    expect(humanTime('2026-11-20T10:00:05.412Z')).toBe('2026-11-20 10:00:05 UTC');
  });
});

describe('snsSubject', () => {
  it('folds accents and replaces what SNS refuses', () => {
    expect(snsSubject('[dev] Optimized modèle-ü\n\tin 1 min')).toBe('[dev] Optimized modele-u in 1 min');
    expect(snsSubject('模型 done')).toBe('?? done');
    expect(snsSubject(' \n ')).toBe('Model optimization pipeline');
  });

  it('cuts long subjects to 100 characters with an ellipsis', () => {
    const subject = snsSubject(`[dev] Optimized ${'x'.repeat(200)}`);
    expect(subject).toHaveLength(SNS_SUBJECT_MAX_LENGTH);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('always yields 1–100 printable ASCII characters, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const subject = snsSubject(text);
        expect(subject.length).toBeGreaterThan(0);
        expect(subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
        expect(subject).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
      }),
    );
  });
});

describe('summarise', () => {
  it('names the registered SageMaker model of a Completed job, and deploying it by name', () => {
    const { message } = summarise(outcome('completed'));
    expect(message).toContain(
      'SageMaker model: llama-3-8b-instruct-2f8b855e06 (arn:aws:sagemaker:us-east-1:000000000000:model/llama-3-8b-instruct-2f8b855e06)',
    );
    expect(message).toContain('registered as the SageMaker model llama-3-8b-instruct-2f8b855e06');
    expect(message).not.toContain('create a SageMaker model from');
  });

  it('says how to create a model when the job registered none', () => {
    const { message } = summarise(outcome('completed', (e) => delete e.detail.output.sageMakerModel));
    expect(message).not.toContain('SageMaker model:');
    expect(message).toContain('create a SageMaker model from s3://');
  });

  it('keeps the subject valid for a model id of any length or alphabet', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 500 }), (modelId) => {
        const { subject } = summarise(outcome('completed', (e) => (e.detail.model.modelId = modelId)));
        expect(subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
        expect(subject).toMatch(/^[\x20-\x7e]+$/);
      }),
      { numRuns: 50 },
    );
  });

  it('lists at most 50 errors of a rejection and counts the rest', () => {
    const errors = Array.from({ length: 70 }, (_, i) => ({ path: `$.tags.k${i}`, message: 'bad' }));
    const { subject, message } = summarise(outcome('rejected', (e) => (e.detail.errors = errors)));
    expect(subject).toContain('(70 problems)');
    expect(message.match(/^- \$\.tags\./gm)).toHaveLength(MAX_LISTED_ERRORS);
    expect(message).toContain('- ... and 20 more');
  });

  it('names the model by its key, then the job name, when the model id is unknown', () => {
    const byKey = summarise(outcome('rejected', (e) => delete e.detail.model.modelId));
    expect(byKey.subject).toBe('[local] REJECTED upload: models/llama-3.1-8b/optimization.json (2 problems)');
    const byJob = summarise(outcome('rejected', (e) => delete e.detail.model));
    expect(byJob.subject).toBe('[local] REJECTED upload: llama-3-1-8b-f265c9ccf6 (2 problems)');
    expect(byJob.message).toContain('upload it again;');
  });

  it('sends a single-file drop that timed out to a manifest or the stage parameter', () => {
    const { message } = summarise(
      outcome('stopped', (e) => {
        e.detail.model.key = 'models/llama-3-70b/model.tar.gz';
        e.detail.model.s3Uri = `s3://${e.detail.model.bucket}/models/llama-3-70b/model.tar.gz`;
      }),
    );
    expect(message).toContain(
      'drop it as a folder with a manifest that raises stoppingCondition.maxRuntimeInSeconds',
    );
    expect(message).toContain('upload the model again');
  });

  it.each([
    ['Timed out: still running after 3900 s', true],
    ['Stopped after exceeding MaxRuntimeInSeconds (3600 s)', true],
    ['timeout after 2 h', true],
    ['Stopped by alice from the console', false],
    ['StopOptimizationJob called by a deployment', false],
  ])('isTimeout(%j) is %s', (reason, expected) => {
    expect(isTimeout(reason)).toBe(expected);
  });
});
