/** JSON Schemas generated from the zod sources of truth, by file name under `schemas/`. */
import * as z from 'zod';
import { manifestSchema } from './drop/manifest-schema';

const SCHEMA_BASE = 'https://github.com/model-optimization-pipeline/schemas/';

export function generatedSchemas(): Record<string, object> {
  return {
    'manifest.schema.json': {
      ...z.toJSONSchema(manifestSchema, { target: 'draft-2020-12', io: 'input' }),
      $id: `${SCHEMA_BASE}manifest.schema.json`,
      title: 'Model optimization manifest (models/<model-id>/optimization.json)',
    },
  };
}
