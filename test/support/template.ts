import { inject } from 'vitest';

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

/** Every IAM statement of an inline-policy role, flattened. */
export function roleStatements(role: CfnResource): Record<string, any>[] {
  return (role.Properties?.Policies ?? []).flatMap(
    (p: { PolicyDocument: { Statement: Record<string, any>[] } }) => p.PolicyDocument.Statement,
  );
}
