import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);

type Validator = (value: unknown) => string[];

function toMessages(errors: { instancePath: string; message?: string }[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** A validator for one committed schema file under `schemas/`. */
export function schemaValidator(file: string): Validator {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(new URL(file, SCHEMAS_DIR), 'utf8')));
  return (value) => (validate(value) ? [] : toMessages(validate.errors));
}

/**
 * A validator for the whole event against a committed registry document (OpenAPI 3.0): its
 * `components.schemas.AWSEvent`. OpenAPI 3.0 schema objects are a JSON Schema subset, so a
 * draft-07 validator that ignores the `x-` and document-level keywords checks them faithfully.
 */
export function registryEventValidator(file: string): Validator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addSchema(JSON.parse(readFileSync(new URL(file, SCHEMAS_DIR), 'utf8')), 'registry-document');
  const validate = ajv.getSchema('registry-document#/components/schemas/AWSEvent');
  if (!validate) throw new Error(`${file} has no components.schemas.AWSEvent`);
  return (value) => (validate(value) ? [] : toMessages(validate.errors));
}

/** The committed text of a schema file. */
export function committedSchema(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, SCHEMAS_DIR), 'utf8'));
}
