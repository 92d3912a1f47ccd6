import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { type ShapeName, templatePath } from './stage-shapes';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  Condition?: string;
  DependsOn?: string | string[];
  Metadata?: Record<string, any>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

/** The template `sls package --stage ci` produced in the global setup, parsed afresh. */
export function packagedTemplate(): CfnTemplate {
  return JSON.parse(inject('packagedTemplate')) as CfnTemplate;
}

/** The one resource with this logical id; fails clearly when it is missing. */
export function resource(template: CfnTemplate, logicalId: string): CfnResource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`template has no resource ${logicalId}`);
  return found;
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** Every IAM statement of an inline-policy role, flattened, as written (an `Fn::If` stays one). */
export function roleStatements(role: CfnResource): Record<string, any>[] {
  return (role.Properties?.Policies ?? []).flatMap(
    (p: { PolicyDocument: { Statement: Record<string, any>[] } }) => p.PolicyDocument.Statement,
  );
}

/** What `{ "Ref": "AWS::NoValue" }` resolves to: nothing (the list element or property goes). */
const NO_VALUE = Symbol('AWS::NoValue');

function isNoValue(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 1 && value.Ref === 'AWS::NoValue';
}

/**
 * Every value a template fragment can take, with each `Fn::If` taken both ways, whatever its
 * condition says for the stage that was packaged. A list holds, for each element, every value
 * the element can take; an object is one value per combination of its properties' values.
 * `AWS::NoValue` drops the list element or property, as CloudFormation does.
 */
export function everyBranch(value: unknown): unknown[] {
  return variants(value).filter((v) => v !== NO_VALUE);
}

function variants(value: unknown): unknown[] {
  if (Array.isArray(value)) return [value.flatMap(variants).filter((v) => v !== NO_VALUE)];
  if (typeof value !== 'object' || value === null) return [value];
  const object = value as Record<string, unknown>;
  if (isNoValue(object)) return [NO_VALUE];
  const condition = object['Fn::If'];
  if (Object.keys(object).length === 1 && Array.isArray(condition)) {
    return [...variants(condition[1]), ...variants(condition[2])];
  }
  let results: Record<string, unknown>[] = [{}];
  for (const [key, child] of Object.entries(object)) {
    const options = variants(child);
    results = results.flatMap((partial) =>
      options.map((option) => (option === NO_VALUE ? partial : { ...partial, [key]: option })),
    );
  }
  return results;
}

/** The statements of a policy document in any of its branches, each once. */
export function statementsOfEveryBranch(document: unknown): Record<string, any>[] {
  const seen = new Map<string, Record<string, any>>();
  for (const variant of everyBranch(document) as { Statement?: unknown }[]) {
    for (const statement of [variant?.Statement ?? []].flat() as Record<string, any>[]) {
      seen.set(JSON.stringify(statement), statement);
    }
  }
  return [...seen.values()];
}

/** Every IAM statement of a role's inline policies, in every branch of every `Fn::If`. */
export function roleStatementsOfEveryBranch(role: CfnResource): Record<string, any>[] {
  return (role.Properties?.Policies ?? []).flatMap((p: { PolicyDocument: unknown }) =>
    statementsOfEveryBranch(p.PolicyDocument),
  );
}

/** A shape the global setup packaged (test/support/stage-shapes.ts), parsed afresh. */
export function shapeTemplate(name: ShapeName): CfnTemplate {
  return JSON.parse(readFileSync(templatePath(inject('shapes')[name]), 'utf8')) as CfnTemplate;
}
