/** One call for the CLI and the test: validate a packaged template and apply its suppressions. */
import { readFileSync } from 'node:fs';
import { validateTemplate } from './cfn-guard';
import { type GuardSummary, summarize } from './evaluate';

/** Runs the Control Tower rules over a template file and returns the summary. */
export async function checkTemplate(templateFile: string): Promise<GuardSummary> {
  const template = JSON.parse(readFileSync(templateFile, 'utf8'));
  return summarize(await validateTemplate(templateFile), template);
}
