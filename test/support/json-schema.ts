import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);

/** A validator for one committed schema file under `schemas/`. */
export function schemaValidator(file: string): (value: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(new URL(file, SCHEMAS_DIR), 'utf8')));
  return (value) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** The committed text of a schema file. */
export function committedSchema(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, SCHEMAS_DIR), 'utf8'));
}
