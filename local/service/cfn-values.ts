/**
 * Resolves the few CloudFormation intrinsics serverless.yml uses (Ref, Fn::GetAtt, Fn::Sub,
 * Fn::Join, Fn::If with Fn::Equals/Fn::Not conditions) to the local stack's names, so local
 * functions get the same environment a deployment would. Written by hand: CloudFormation
 * evaluation needs AWS, and no library evaluates templates offline for these few functions.
 */

export interface LocalNaming {
  stackName: string;
  region: string;
  accountId: string;
  /** The local physical name/ARN of a resource, by logical id and attribute (`Ref`, `Arn`, …). */
  attribute(logicalId: string, attribute: string): string | undefined;
  conditions: Record<string, unknown>;
}

export class UnresolvableValueError extends Error {
  override readonly name = 'UnresolvableValueError';
}

/** Evaluates `value` to a string (or a structure of strings) in the local stack. */
export function resolveCfn(value: unknown, naming: LocalNaming): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveCfn(v, naming));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first && first[0] in INTRINSICS) {
    const [fn, args] = first;
    return INTRINSICS[fn as keyof typeof INTRINSICS](args, naming);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveCfn(v, naming)]));
}

const str = (value: unknown, naming: LocalNaming): string => {
  const resolved = resolveCfn(value, naming);
  if (typeof resolved !== 'string' && typeof resolved !== 'number') {
    throw new UnresolvableValueError(`expected a string, got ${JSON.stringify(resolved)}`);
  }
  return String(resolved);
};

const pseudo = (name: string, naming: LocalNaming): string | undefined =>
  ({
    'AWS::AccountId': naming.accountId,
    'AWS::Region': naming.region,
    'AWS::StackName': naming.stackName,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  })[name];

const ref = (name: string, naming: LocalNaming): string => {
  const value = pseudo(name, naming) ?? naming.attribute(name, 'Ref');
  if (value === undefined) throw new UnresolvableValueError(`no local value for Ref ${name}`);
  return value;
};

function condition(name: string, naming: LocalNaming): boolean {
  const definition = naming.conditions[name];
  if (definition === undefined) throw new UnresolvableValueError(`unknown condition ${name}`);
  return evaluateCondition(definition, naming);
}

function evaluateCondition(definition: unknown, naming: LocalNaming): boolean {
  const [fn, args] = Object.entries(definition as Record<string, unknown>)[0] ?? [];
  const list = args as unknown[];
  switch (fn) {
    case 'Fn::Equals':
      return str(list[0], naming) === str(list[1], naming);
    case 'Fn::Not':
      return !evaluateCondition(list[0], naming);
    case 'Fn::And':
      return list.every((c) => evaluateCondition(c, naming));
    case 'Fn::Or':
      return list.some((c) => evaluateCondition(c, naming));
    case 'Condition':
      return condition(args as string, naming);
    default:
      throw new UnresolvableValueError(`unsupported condition ${fn}`);
  }
}

const INTRINSICS = {
  Ref: (args: unknown, naming: LocalNaming) => ref(String(args), naming),
  'Fn::GetAtt': (args: unknown, naming: LocalNaming) => {
    const [logicalId, attribute] = (typeof args === 'string' ? args.split('.') : args) as [string, string];
    const value = naming.attribute(logicalId, attribute);
    if (value === undefined) throw new UnresolvableValueError(`no local value for ${logicalId}.${attribute}`);
    return value;
  },
  'Fn::Sub': (args: unknown, naming: LocalNaming) => {
    const [template, vars] = (Array.isArray(args) ? args : [args, {}]) as [string, Record<string, unknown>];
    return template.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
      if (name in vars) return str(vars[name], naming);
      const [logicalId, attribute] = name.split('.') as [string, string | undefined];
      return attribute ? INTRINSICS['Fn::GetAtt']([logicalId, attribute], naming) : ref(logicalId, naming);
    });
  },
  'Fn::Join': (args: unknown, naming: LocalNaming) => {
    const [separator, parts] = args as [string, unknown[]];
    return parts.map((p) => str(p, naming)).join(separator);
  },
  'Fn::If': (args: unknown, naming: LocalNaming) => {
    const [name, whenTrue, whenFalse] = args as [string, unknown, unknown];
    return resolveCfn(condition(name, naming) ? whenTrue : whenFalse, naming);
  },
} as const;
