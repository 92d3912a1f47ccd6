/**
 * Runs the cfn-guard binary that `@cdklabs/cdk-validator-cfnguard` ships, with the AWS Control
 * Tower proactive-control rules it ships beside it, and reads its structured JSON report.
 * Only files of the package are used: its JavaScript entry needs aws-cdk-lib at run time.
 */
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PACKAGE_DIR = dirname(
  createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'),
);

/** The Control Tower rules folder of the package (one `.guard` file per control). */
export const CONTROL_TOWER_RULES = join(PACKAGE_DIR, 'rules/control-tower/cfn-guard');

/** One Control Tower rule as its file declares it. */
export interface RuleInfo {
  /** The rule identifier cfn-guard reports, e.g. `s3_bucket_logging_enabled_check`. */
  name: string;
  /** The control, e.g. `CT.S3.PR.2`. */
  controlId: string;
  /** The control's own one-line statement. */
  title: string;
  /** The rule's own `[FIX]` advice. */
  fix: string;
}

/** What cfn-guard says about one rule that a template does not comply with. */
export interface RuleViolation {
  name: string;
  /** Logical ids of the resources the failing checks traversed. */
  resourceIds: string[];
  /** cfn-guard's own clause messages, for the rare failure that names no resource. */
  errors: string[];
}

/** cfn-guard's verdict on one template, by rule name. */
export interface GuardReport {
  guardVersion: string;
  /** Every rule of the rule set, by name. */
  rules: Map<string, RuleInfo>;
  compliant: string[];
  violations: RuleViolation[];
}

/** The binary for this machine; made executable if the install dropped the mode bit. */
export function guardBinary(): string {
  const os = { linux: 'ubuntu', darwin: 'macos' }[platform() as string];
  const cpu = { x64: 'x86_64', arm64: 'aarch64' }[arch() as string];
  if (!os || !cpu)
    throw new Error(`cfn-guard is shipped for Linux and macOS on x64/arm64, not ${platform()}/${arch()}`);
  const binary = join(PACKAGE_DIR, 'bin', os, cpu, 'cfn-guard');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    // npm keeps the tarball's mode bits today; a differently configured installer might not.
    chmodSync(binary, 0o755);
  }
  return binary;
}

/** Reads rule names, control ids and messages from the `.guard` files under `dir`. */
export function readRules(dir: string = CONTROL_TOWER_RULES): Map<string, RuleInfo> {
  const rules = new Map<string, RuleInfo>();
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      for (const [name, info] of readRules(path)) rules.set(name, info);
      continue;
    }
    if (!entry.endsWith('.guard')) continue;
    const text = readFileSync(path, 'utf8');
    const name = /^rule\s+(\w+)\s+when\s/m.exec(text)?.[1];
    const control = /\[(CT\.[A-Z0-9.-]+)\]:\s*(.+)/.exec(text);
    if (!name || !control?.[1]) continue;
    rules.set(name, {
      name,
      controlId: control[1],
      title: control[2]?.trim() ?? '',
      fix: /\[FIX\]:\s*(.+)/.exec(text)?.[1]?.trim() ?? '',
    });
  }
  return rules;
}

interface StructuredFileReport {
  compliant?: string[];
  not_compliant?: { Rule?: { name?: string } }[];
}

/** Validates one CloudFormation template (JSON or YAML file) against the Control Tower rules. */
export async function validateTemplate(
  templateFile: string,
  rulesDir = CONTROL_TOWER_RULES,
): Promise<GuardReport> {
  const binary = guardBinary();
  const args = ['validate', '--rules', rulesDir, '--data', templateFile];
  const structured = ['--output-format', 'json', '--show-summary', 'none', '--structured'];
  let stdout: string;
  try {
    ({ stdout } = await run(binary, [...args, ...structured], { maxBuffer: 256 * 1024 * 1024 }));
  } catch (error) {
    // 19: some rule failed; the report is on stdout all the same. Anything else is a real error.
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failed.code !== 19 || failed.stdout === undefined) {
      throw new Error(`cfn-guard failed (exit ${String(failed.code)}): ${failed.stderr ?? error}`);
    }
    stdout = failed.stdout;
  }
  const [report] = JSON.parse(stdout) as StructuredFileReport[];
  if (!report) throw new Error(`cfn-guard reported on no template for ${templateFile}`);

  const byName = new Map<string, RuleViolation>();
  for (const entry of report.not_compliant ?? []) {
    const name = entry.Rule?.name ?? '(unnamed rule)';
    const violation = byName.get(name) ?? { name, resourceIds: [], errors: [] };
    collect(entry, violation);
    byName.set(name, violation);
  }
  const { stdout: version } = await run(binary, ['--version']);
  return {
    guardVersion: version.trim().replace(/^cfn-guard\s+/, ''),
    rules: readRules(rulesDir),
    compliant: [...new Set(report.compliant ?? [])],
    violations: [...byName.values()].map((v) => ({
      ...v,
      resourceIds: [...new Set(v.resourceIds)].sort(),
      errors: [...new Set(v.errors)],
    })),
  };
}

/** Walks a check tree: the `/Resources/<id>/…` paths it traversed and its error messages. */
function collect(node: unknown, into: RuleViolation): void {
  if (Array.isArray(node)) {
    for (const child of node) collect(child, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'path' && typeof value === 'string') {
      const id = /^\/Resources\/([^/]+)/.exec(value)?.[1];
      if (id) into.resourceIds.push(id);
    } else if (key === 'error_message' && typeof value === 'string' && value) {
      into.errors.push(value);
    } else {
      collect(value, into);
    }
  }
}
