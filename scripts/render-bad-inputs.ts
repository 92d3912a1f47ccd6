/** Rewrites the bad-input table in docs/reliability.md from harness/bad-input-catalogue.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { badInputsTable } from '../harness/bad-input-catalogue';

const path = new URL('../docs/reliability.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const start = doc.indexOf('<!-- bad-inputs:start -->');
const end = doc.indexOf('<!-- bad-inputs:end -->');
if (start < 0 || end < 0) throw new Error('docs/reliability.md has no bad-inputs markers');
writeFileSync(
  path,
  `${doc.slice(0, start)}<!-- bad-inputs:start -->\n${badInputsTable()}\n${doc.slice(end)}`,
);
console.log('updated docs/reliability.md');
