/**
 * `tsx scripts/normalize-template.ts <template.json> <out.json>`: a packaged template with the
 * two things that differ between two packagings of the same service made the same
 * (scripts/compare-templates.sh compares the results byte for byte):
 * - the artifacts' folder in each function's S3Key, `<epoch ms>-<ISO date>`;
 * - the order of the `AWS::Lambda::Version` resources and their `…QualifiedArn` outputs. osls
 *   compiles the functions concurrently and adds each version once that function's zip is
 *   hashed, so their order follows which hash finished first. They keep their places in the
 *   template; only the order among them is sorted.
 * Everything else is written as osls writes it (JSON, two-space indent), key order included.
 */
import { readFileSync, writeFileSync } from 'node:fs';

type Section = Record<string, { Type?: string }>;

/** The section with the entries `isRacing` picks sorted by key among the places they hold. */
function sortRacingEntries(section: Section, isRacing: (key: string) => boolean): Section {
  const entries = Object.entries(section);
  const racing = entries.filter(([key]) => isRacing(key)).sort(([a], [b]) => a.localeCompare(b));
  let next = 0;
  const ordered = entries.map((entry) => (isRacing(entry[0]) ? (racing[next++] ?? entry) : entry));
  return Object.fromEntries(ordered);
}

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: tsx scripts/normalize-template.ts <template.json> <out.json>');
const text = readFileSync(input, 'utf8').replace(/\/\d{13}-\d{4}-\d{2}-\d{2}T[\d:.]+Z\//g, '/<artifacts>/');
const template = JSON.parse(text) as { Resources: Section; Outputs?: Section };
template.Resources = sortRacingEntries(
  template.Resources,
  (key) => template.Resources[key]?.Type === 'AWS::Lambda::Version',
);
if (template.Outputs)
  template.Outputs = sortRacingEntries(template.Outputs, (key) => key.endsWith('QualifiedArn'));
writeFileSync(output, JSON.stringify(template, null, 2));
