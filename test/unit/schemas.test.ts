import { describe, expect, it } from 'vitest';
import { generatedSchemas } from '../../src/schemas';
import { committedSchema, schemaValidator } from '../support/json-schema';

describe('committed JSON Schemas', () => {
  it.each(Object.entries(generatedSchemas()))(
    '%s matches its zod source (run `npm run schemas`)',
    (file, schema) => {
      expect(committedSchema(file)).toEqual(JSON.parse(JSON.stringify(schema)));
    },
  );
});

describe('schemas/manifest.schema.json', () => {
  const validate = schemaValidator('manifest.schema.json');

  it('accepts the documented example manifest', () => {
    expect(
      validate({
        deploymentInstanceType: 'ml.g6.xlarge',
        techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }, { compilation: {} }],
        stoppingCondition: { maxRuntimeInSeconds: 3600 },
        acceptEula: true,
        tags: { team: 'nlp' },
      }),
    ).toEqual([]);
  });

  it('rejects two union members in one technique, as the zod schema does', () => {
    expect(validate({ techniques: [{ quantization: {}, compilation: {} }] })).not.toEqual([]);
  });

  it('rejects a tag key the pipeline sets itself, as the zod schema does', () => {
    expect(validate({ tags: { stage: 'prod' } })).not.toEqual([]);
  });

  it('rejects 26 environment entries', () => {
    const environment = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`K${i}`, 'v']));
    expect(validate({ environment })).not.toEqual([]);
  });
});
