/** JSON Schemas generated from the zod sources of truth, by file name under `schemas/`. */
import * as z from 'zod';
import { manifestSchema } from './drop/manifest-schema';
import {
  DETAIL_TYPES,
  detailSchemas,
  EVENT_SOURCE,
  type EventKind,
  envelopeSchemas,
  SCHEMA_VERSION,
} from './events/contract';

const SCHEMA_BASE = 'https://github.com/model-optimization-pipeline/schemas/';

/** The five event kinds, in contract order. */
export const EVENT_KINDS = Object.keys(DETAIL_TYPES) as EventKind[];

/**
 * The type of the `AWS::EventSchemas::Schema` resources. OpenApi3 is the registry's native
 * format: discovered schemas use it, and only it gets code bindings (Java, Python, TypeScript, Go).
 */
export const REGISTRY_SCHEMA_TYPE = 'OpenApi3';

/** The file serverless.yml reads each schema's `Content` string from, keyed by event kind. */
export const REGISTRY_CONTENT_FILE = 'registry/content.json';

/** `Model Optimization Completed` → `model-optimization-completed`. */
export function eventSlug(kind: EventKind): string {
  return DETAIL_TYPES[kind].toLowerCase().replaceAll(' ', '-');
}

/** `Model Optimization Completed` → `ModelOptimizationCompleted`: the OpenAPI component name. */
export function eventTypeName(kind: EventKind): string {
  return DETAIL_TYPES[kind].replaceAll(' ', '');
}

/** The name of the schema in the registry, after the discovered-schema convention `source@Type`. */
export function registrySchemaName(kind: EventKind): string {
  return `${EVENT_SOURCE}@${eventTypeName(kind)}`;
}

/** `schemas/<this>`: the JSON Schema (draft 2020-12) of one detail-type's `detail`. */
export function detailSchemaFile(kind: EventKind): string {
  return `${eventSlug(kind)}.schema.json`;
}

/** `schemas/<this>`: the whole EventBridge event as the registry holds it (OpenAPI 3.0). */
export function registrySchemaFile(kind: EventKind): string {
  return `registry/${eventSlug(kind)}.openapi.json`;
}

function detailJsonSchema(kind: EventKind): object {
  return {
    ...z.toJSONSchema(detailSchemas[kind], { target: 'draft-2020-12', io: 'input' }),
    $id: `${SCHEMA_BASE}${SCHEMA_VERSION}/${detailSchemaFile(kind)}`,
    title: `${DETAIL_TYPES[kind]} (detail), schemaVersion ${SCHEMA_VERSION}`,
  };
}

/**
 * The registry document of one detail-type: an `AWSEvent` envelope whose `detail-type` and
 * `source` are fixed and whose `detail` refers to the detail's own component, as in the
 * schemas EventBridge discovers.
 */
export function registryDocument(kind: EventKind): Record<string, unknown> {
  const name = eventTypeName(kind);
  const { detail: _detail, ...envelopeShape } = envelopeSchemas[kind].shape;
  const envelope = z.toJSONSchema(z.object(envelopeShape), { target: 'openapi-3.0', io: 'input' }) as {
    properties: Record<string, unknown>;
    required: string[];
  };
  return {
    openapi: '3.0.0',
    info: {
      version: SCHEMA_VERSION,
      title: name,
      description: `"${DETAIL_TYPES[kind]}" events from ${EVENT_SOURCE}, schemaVersion ${SCHEMA_VERSION}`,
    },
    paths: {},
    components: {
      schemas: {
        AWSEvent: {
          type: 'object',
          required: [...envelope.required, 'detail'],
          'x-amazon-events-detail-type': DETAIL_TYPES[kind],
          'x-amazon-events-source': EVENT_SOURCE,
          properties: { ...envelope.properties, detail: { $ref: `#/components/schemas/${name}` } },
        },
        [name]: z.toJSONSchema(detailSchemas[kind], { target: 'openapi-3.0', io: 'input' }),
      },
    },
  };
}

/** Every generated file under `schemas/`, by path: `npm run schemas` writes them, a test compares. */
export function generatedSchemas(): Record<string, object> {
  const schemas: Record<string, object> = {
    'manifest.schema.json': {
      ...z.toJSONSchema(manifestSchema, { target: 'draft-2020-12', io: 'input' }),
      $id: `${SCHEMA_BASE}manifest.schema.json`,
      title: 'Model optimization manifest (models/<model-id>/optimization.json)',
    },
  };
  for (const kind of EVENT_KINDS) {
    schemas[detailSchemaFile(kind)] = detailJsonSchema(kind);
    schemas[registrySchemaFile(kind)] = registryDocument(kind);
  }
  // CloudFormation wants Content as a string and the Framework can only inline parsed files,
  // so the strings are generated here and read with ${file(schemas/registry/content.json):<kind>}.
  schemas[REGISTRY_CONTENT_FILE] = Object.fromEntries(
    EVENT_KINDS.map((kind) => [kind, JSON.stringify(registryDocument(kind))]),
  );
  return schemas;
}
