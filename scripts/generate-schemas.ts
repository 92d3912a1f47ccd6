/**
 * Writes the JSON Schemas derived from the zod sources of truth into `schemas/`.
 * `npm run schemas` after changing a schema; a test fails when the committed files drift.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { generatedSchemas } from '../src/schemas';

for (const [file, schema] of Object.entries(generatedSchemas())) {
  const url = new URL(`../schemas/${file}`, import.meta.url);
  mkdirSync(new URL('.', url), { recursive: true });
  writeFileSync(url, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/${file}`);
}
