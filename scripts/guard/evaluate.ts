/**
 * Applies per-resource suppressions to a cfn-guard report. The Control Tower rules have no
 * suppression of their own, so this follows the convention of the AWS Guard rules registry:
 * a resource lists the rules that cannot apply to it in `Metadata.guard.SuppressedRules`.
 */
import type { GuardReport, RuleInfo } from './cfn-guard';

/** A rule that failed on some resources, split into the suppressed and the unsuppressed ones. */
export interface RuleOutcome {
  rule: RuleInfo;
  /** Resources that fail the rule and do not suppress it. */
  failing: string[];
  /** Resources that fail the rule and suppress it. */
  suppressed: string[];
  /** cfn-guard's messages when the failure names no resource (then it cannot be suppressed). */
  errors: string[];
}

/** The verdict `npm run guard` prints and exits on. */
export interface GuardSummary {
  guardVersion: string;
  ruleCount: number;
  /** Every rule of the rule set, by name. */
  rules: Map<string, RuleInfo>;
  /** Rules that apply to some resource of the template, by name. */
  applicable: string[];
  passed: string[];
  /** Rules with at least one unsuppressed failure. */
  failed: RuleOutcome[];
  /** Rules whose every failure is suppressed. */
  suppressed: RuleOutcome[];
}

interface TemplateLike {
  Resources?: Record<string, { Metadata?: { guard?: { SuppressedRules?: unknown } } }>;
}

/** The rules each resource suppresses, lower-cased, by logical id. */
export function suppressionsOf(template: TemplateLike): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const listed = resource.Metadata?.guard?.SuppressedRules;
    if (Array.isArray(listed)) result.set(id, new Set(listed.map((r) => String(r).toLowerCase())));
  }
  return result;
}

/** Sorts every violation into failed or suppressed. */
export function summarize(report: GuardReport, template: TemplateLike): GuardSummary {
  const suppressions = suppressionsOf(template);
  const failed: RuleOutcome[] = [];
  const suppressed: RuleOutcome[] = [];
  for (const violation of report.violations) {
    const rule = report.rules.get(violation.name) ?? {
      name: violation.name,
      controlId: '?',
      title: '',
      fix: '',
    };
    const suppresses = (id: string) => suppressions.get(id)?.has(violation.name.toLowerCase()) ?? false;
    const outcome: RuleOutcome = {
      rule,
      failing: violation.resourceIds.filter((id) => !suppresses(id)),
      suppressed: violation.resourceIds.filter(suppresses),
      errors: violation.resourceIds.length === 0 ? violation.errors : [],
    };
    (outcome.failing.length > 0 || violation.resourceIds.length === 0 ? failed : suppressed).push(outcome);
  }
  const failing = new Set(report.violations.map((v) => v.name));
  const passed = report.compliant.filter((name) => !failing.has(name)).sort();
  return {
    guardVersion: report.guardVersion,
    ruleCount: report.rules.size,
    rules: report.rules,
    applicable: [...passed, ...failing].sort(),
    passed,
    failed,
    suppressed,
  };
}
