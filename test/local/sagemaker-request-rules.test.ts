/** Unit tests of the SageMaker emulator's requests (local/sagemaker/request-rules.ts) for what the SDK client cannot send. */
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../local/protocol/aws-error';
import { validateCreateRequest, validateListRequest } from '../../local/sagemaker/request-rules';
import { createRequest } from './sagemaker-helpers';

function thrown(fn: () => unknown): AwsServiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  throw new Error('expected an AwsServiceError');
}

describe('validateCreateRequest', () => {
  it('returns the request with only the members the API defines', () => {
    const request = {
      ...createRequest('clean'),
      Extra: 1,
      Tags: [{ Key: 'team', Value: 'ml', Colour: 'red' }],
    };
    const validated = validateCreateRequest(request);
    expect(validated).toEqual({ ...createRequest('clean'), Tags: [{ Key: 'team', Value: 'ml' }] });
  });

  it('fails with SerializationException on a member of the wrong JSON type, naming it', () => {
    const error = thrown(() => validateCreateRequest({ ...createRequest('types'), MaxInstanceCount: '2' }));
    expect(error).toMatchObject({ type: 'SerializationException', statusCode: 400 });
    expect(error.message).toContain("'maxInstanceCount'");
    expect(thrown(() => validateCreateRequest([])).type).toBe('SerializationException');
    expect(
      thrown(() => validateCreateRequest({ ...createRequest('env'), OptimizationEnvironment: { A: 1 } }))
        .message,
    ).toContain("'optimizationEnvironment.A'");
  });

  it('reports a null environment value as a map value violation', () => {
    const error = thrown(() =>
      validateCreateRequest({ ...createRequest('env'), OptimizationEnvironment: { A: null } }),
    );
    expect(error.message).toContain('Map value must satisfy constraint: [Member must not be null]');
  });

  it('requires S3Uri when ModelSource.S3 is given', () => {
    const error = thrown(() =>
      validateCreateRequest({ ...createRequest('no-uri'), ModelSource: { S3: {} } }),
    );
    expect(error).toMatchObject({ type: 'ValidationException' });
    expect(error.message).toBe('ModelSource.S3.S3Uri must be specified when ModelSource.S3 is used.');
  });

  it('checks cross-field rules only once every member constraint holds', () => {
    const error = thrown(() => validateCreateRequest({ ...createRequest('bad_name'), ModelSource: {} }));
    expect(error.message).toMatch(/^1 validation error detected: Value 'bad_name'/);
  });

  it('rejects an unknown union member', () => {
    const error = thrown(() =>
      validateCreateRequest({
        ...createRequest('unknown'),
        OptimizationConfigs: [{ ModelPruningConfig: {} }],
      }),
    );
    expect(error.message).toContain("Value '[ModelPruningConfig]' at 'optimizationConfigs.1.member'");
  });

  it('shortens long values in messages', () => {
    const error = thrown(() => validateCreateRequest(createRequest('x'.repeat(500))));
    expect(error.message).toContain(`Value '${'x'.repeat(200)}...' at 'optimizationJobName'`);
  });
});

describe('validateListRequest', () => {
  it('fills in the documented defaults', () => {
    expect(validateListRequest({})).toEqual({
      maxResults: 50,
      sortBy: 'CreationTime',
      sortOrder: 'Ascending',
    });
  });

  it('reads epoch-second timestamps as milliseconds', () => {
    expect(validateListRequest({ CreationTimeAfter: 1_700_000_000.5 })).toMatchObject({
      creationTimeAfter: 1_700_000_000_500,
    });
    expect(thrown(() => validateListRequest({ CreationTimeAfter: 'soon' })).type).toBe(
      'SerializationException',
    );
  });
});
