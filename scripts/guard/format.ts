/** The text summary `npm run guard` prints. */
import type { GuardSummary, RuleOutcome } from './evaluate';

const label = (o: RuleOutcome) => `${o.rule.name} [${o.rule.controlId}]`;

/** Renders a summary: counts, then suppressed and failed rules with resources and the rule's message. */
export function formatSummary(summary: GuardSummary, heading: string): string {
  const rules = summary.rules;
  const lines = [
    `cfn-guard ${summary.guardVersion} · AWS Control Tower proactive controls (${summary.ruleCount} rules) · ${heading}`,
    `applicable ${summary.applicable.length} · passed ${summary.passed.length} · failed ${summary.failed.length} · suppressed ${summary.suppressed.length}`,
  ];
  if (summary.suppressed.length > 0) {
    lines.push('', 'suppressed (Metadata.guard.SuppressedRules; reasons in docs/security.md):');
    for (const o of summary.suppressed) lines.push(`  ${label(o)}: ${o.suppressed.join(', ')}`);
  }
  if (summary.failed.length > 0) {
    lines.push('', 'FAILED:');
    for (const o of summary.failed) {
      lines.push(`  ${label(o)}: ${o.failing.join(', ') || '(no resource named)'}`);
      if (o.rule.title) lines.push(`    ${o.rule.title}`);
      if (o.rule.fix) lines.push(`    fix: ${o.rule.fix}`);
      for (const error of o.errors.slice(0, 3)) lines.push(`    ${error}`);
    }
  }
  lines.push('', 'passed:');
  for (const name of summary.passed) {
    const controlId = rules.get(name)?.controlId;
    lines.push(`  ${name}${controlId ? ` [${controlId}]` : ''}`);
  }
  return lines.join('\n');
}
