/**
 * Reading a botocore service-model extract (local/sagemaker/botocore-model.json, written by
 * scripts/extract-botocore-models.py): the constraints an operation's input carries, member by
 * member and location by location, and whether a response conforms to an output shape.
 * The conformance test of the SageMaker emulator generates its cases from these.
 */

export interface ShapeRef {
  shape: string;
}
export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | string;
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  union?: boolean;
}
export interface ServiceModelExtract {
  source: string;
  botocoreVersion: string;
  operations: Record<string, { input?: string; output?: string; errors: string[] }>;
  shapes: Record<string, Shape>;
}

/**
 * Where a value sits in a request: member names, `0` for a list's (first) element, and the map
 * tokens `{key}` / `{value}` for a map entry's key or value.
 */
export type Step = string | 0 | '{key}' | '{value}';
export type Location = Step[];

/** One constraint of the model, at one location of an operation's input. */
export type Constraint =
  | { kind: 'required'; location: Location; member: string }
  | { kind: 'min' | 'max'; location: Location; shape: string; type: string; bound: number }
  | { kind: 'pattern'; location: Location; shape: string; pattern: string }
  | { kind: 'enum'; location: Location; shape: string; values: string[] }
  | { kind: 'union'; location: Location; shape: string; members: string[] };

/** The shape at a name, or an error naming it (the extract is incomplete). */
export function shapeOf(model: ServiceModelExtract, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`the extract has no shape ${name}`);
  return shape;
}

/** Every constraint of the shape `name` and of the shapes it reaches, with their locations. */
export function constraintsOf(
  model: ServiceModelExtract,
  name: string,
  location: Location = [],
): Constraint[] {
  const shape = shapeOf(model, name);
  const found: Constraint[] = [];
  const bounds = (type: string) => {
    if (shape.min !== undefined) found.push({ kind: 'min', location, shape: name, type, bound: shape.min });
    if (shape.max !== undefined) found.push({ kind: 'max', location, shape: name, type, bound: shape.max });
  };
  switch (shape.type) {
    case 'structure':
      if (shape.union) {
        found.push({ kind: 'union', location, shape: name, members: Object.keys(shape.members ?? {}) });
      }
      for (const member of shape.required ?? [])
        found.push({ kind: 'required', location: [...location, member], member });
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        found.push(...constraintsOf(model, ref.shape, [...location, member]));
      }
      break;
    case 'list':
      bounds('list');
      if (shape.member) found.push(...constraintsOf(model, shape.member.shape, [...location, 0]));
      break;
    case 'map':
      bounds('map');
      if (shape.key) found.push(...constraintsOf(model, shape.key.shape, [...location, '{key}']));
      if (shape.value) found.push(...constraintsOf(model, shape.value.shape, [...location, '{value}']));
      break;
    case 'string':
      if (shape.enum) {
        found.push({ kind: 'enum', location, shape: name, values: shape.enum });
        break;
      }
      bounds('string');
      if (shape.pattern !== undefined)
        found.push({ kind: 'pattern', location, shape: name, pattern: shape.pattern });
      break;
    case 'integer':
    case 'long':
      bounds('number');
      break;
  }
  return found;
}

/**
 * A model pattern as a JavaScript RegExp. The service matches the whole value (Java's
 * `String.matches`), so the pattern is anchored; `u` for its `\p{…}` classes.
 */
export function modelPattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/**
 * What is wrong with `value` as a value of the shape `name`: missing required members, values
 * outside an enum, lengths, ranges and patterns, wrong JSON types. Members the shape does not
 * define are not reported (a newer model may have them).
 */
export function conformanceProblems(
  model: ServiceModelExtract,
  name: string,
  value: unknown,
  path = '$',
): string[] {
  const shape = shapeOf(model, name);
  const problems: string[] = [];
  const problem = (message: string) => problems.push(`${path} (${name}): ${message}`);
  const length = (size: number) => {
    if (shape.min !== undefined && size < shape.min) problem(`length ${size} < ${shape.min}`);
    if (shape.max !== undefined && size > shape.max) problem(`length ${size} > ${shape.max}`);
  };
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return [`${path}: not an object`];
      const object = value as Record<string, unknown>;
      for (const member of shape.required ?? []) {
        if (object[member] === undefined || object[member] === null)
          problem(`required member ${member} missing`);
      }
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        if (object[member] !== undefined && object[member] !== null) {
          problems.push(...conformanceProblems(model, ref.shape, object[member], `${path}.${member}`));
        }
      }
      if (shape.union) {
        const set = Object.keys(shape.members ?? {}).filter((m) => object[m] !== undefined);
        if (set.length !== 1) problem(`a union with ${set.length} members set`);
      }
      break;
    }
    case 'list':
      if (!Array.isArray(value)) return [`${path}: not a list`];
      length(value.length);
      value.forEach((item, i) => {
        if (shape.member)
          problems.push(...conformanceProblems(model, shape.member.shape, item, `${path}[${i}]`));
      });
      break;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: not a map`];
      length(Object.keys(value).length);
      for (const [key, item] of Object.entries(value)) {
        if (shape.key) problems.push(...conformanceProblems(model, shape.key.shape, key, `${path}{${key}}`));
        if (shape.value)
          problems.push(...conformanceProblems(model, shape.value.shape, item, `${path}.${key}`));
      }
      break;
    case 'string':
      if (typeof value !== 'string') return [`${path}: not a string`];
      if (shape.enum && !shape.enum.includes(value)) problem(`${JSON.stringify(value)} is not in the enum`);
      length(value.length);
      if (shape.pattern !== undefined && !modelPattern(shape.pattern).test(value)) {
        problem(`${JSON.stringify(value)} does not match ${shape.pattern}`);
      }
      break;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) return [`${path}: not an integer`];
      if (shape.min !== undefined && value < shape.min) problem(`${value} < ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) problem(`${value} > ${shape.max}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') problem('not a boolean');
      break;
    case 'timestamp':
      // awsJson sends timestamps as epoch seconds.
      if (typeof value !== 'number') problem('not a timestamp (epoch seconds)');
      break;
  }
  return problems;
}
