/**
 * The fields of an operation's input as dotted paths to its leaves (`StoppingCondition.MaxRuntimeInSeconds`,
 * `OptimizationConfigs[].ModelQuantizationConfig.Image`), read from a botocore extract and from
 * the JS SDK's runtime schema. Maps, scalars and lists of scalars are leaves; structures and
 * unions are walked into, and a list of structures is written `[]`.
 */
import type { ServiceModelExtract } from './service-model';
import { shapeOf } from './service-model';

/** The leaf paths of the botocore shape `name`. */
export function botocoreFields(model: ServiceModelExtract, name: string, path = ''): string[] {
  const shape = shapeOf(model, name);
  if (shape.type !== 'structure') return [path];
  return Object.entries(shape.members ?? {}).flatMap(([member, ref]) => {
    const at = path ? `${path}.${member}` : member;
    const target = shapeOf(model, ref.shape);
    if (target.type === 'list' && target.member) {
      const element = shapeOf(model, target.member.shape);
      return element.type === 'structure' ? botocoreFields(model, target.member.shape, `${at}[]`) : [at];
    }
    return botocoreFields(model, ref.shape, at);
  });
}

/**
 * The SDK's schema of a shape (`CreateOptimizationJobRequest$` in `@aws-sdk/client-sagemaker`):
 * `[kind, namespace, name, traits, memberNames, memberSchemas, …]`, where kind 3 is a structure,
 * 4 a union, 1 a list (its member schema at index 4); a member schema is a number (a scalar or a
 * map of scalars), a schema, or a function returning one. This is the SDK's generated runtime
 * form, not a documented API; if it changes, this reader fails loudly rather than finding nothing.
 */
type SdkSchema = unknown;

const resolveSchema = (schema: SdkSchema): SdkSchema =>
  typeof schema === 'function' ? (schema as () => SdkSchema)() : schema;

const isStructure = (schema: SdkSchema): schema is unknown[] =>
  Array.isArray(schema) && (schema[0] === 3 || schema[0] === 4);

/** The leaf paths of an SDK structure schema. */
export function sdkFields(schema: SdkSchema, path = ''): string[] {
  const resolved = resolveSchema(schema);
  if (!isStructure(resolved)) throw new Error(`not an SDK structure schema at ${path || '(root)'}`);
  const names = resolved[4] as string[];
  const members = resolved[5] as SdkSchema[];
  if (!Array.isArray(names) || !Array.isArray(members) || names.length !== members.length) {
    throw new Error(`unexpected SDK schema layout at ${path || '(root)'}`);
  }
  return names.flatMap((member, i) => {
    const at = path ? `${path}.${member}` : member;
    const target = resolveSchema(members[i]);
    if (isStructure(target)) return sdkFields(target, at);
    if (Array.isArray(target) && target[0] === 1) {
      const element = resolveSchema(target[4]);
      return isStructure(element) ? sdkFields(element, `${at}[]`) : [at];
    }
    return [at];
  });
}
