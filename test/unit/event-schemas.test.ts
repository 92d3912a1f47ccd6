import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, EVENT_SOURCE, pipelineEventSchema, SCHEMA_VERSION } from '../../src/events/contract';
import {
  detailSchemaFile,
  EVENT_KINDS,
  eventTypeName,
  REGISTRY_CONTENT_FILE,
  registrySchemaFile,
} from '../../src/schemas';
import { eventVariants, loadEvent } from '../support/events';
import { committedSchema, registryEventValidator, schemaValidator } from '../support/json-schema';

type Sample = Record<string, unknown> & { detail: Record<string, unknown> };
const sample = (variant: string) => loadEvent<Sample>(`eventbridge/${variant}.json`);

describe('events/eventbridge samples', () => {
  it('holds one sample per detail-type and a malformed one', () => {
    expect(eventVariants('eventbridge')).toEqual([...EVENT_KINDS, 'malformed'].sort());
  });

  describe.each(EVENT_KINDS)('%s.json', (kind) => {
    const event = sample(kind);

    it('is a full EventBridge envelope of its detail-type', () => {
      expect(Object.keys(event).sort()).toEqual(
        ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version'].sort(),
      );
      expect(event['detail-type']).toBe(DETAIL_TYPES[kind]);
      expect(event.source).toBe(EVENT_SOURCE);
    });

    it(`validates against schemas/${detailSchemaFile(kind)}`, () => {
      expect(schemaValidator(detailSchemaFile(kind))(event.detail)).toEqual([]);
    });

    it(`validates as a whole event against schemas/${registrySchemaFile(kind)}`, () => {
      expect(registryEventValidator(registrySchemaFile(kind))(event)).toEqual([]);
    });

    it('parses with the zod contract the schemas come from', () => {
      expect(pipelineEventSchema.parse(event)['detail-type']).toBe(DETAIL_TYPES[kind]);
    });

    it('fails every other registry schema (detail-type and detail differ)', () => {
      for (const other of EVENT_KINDS.filter((k) => k !== kind)) {
        expect(registryEventValidator(registrySchemaFile(other))(event)).not.toEqual([]);
      }
    });

    it('still validates with a field a later minor version may add', () => {
      const later = { ...event.detail, schemaVersion: '1.7.0', addedInOneSeven: { any: 'thing' } };
      expect(schemaValidator(detailSchemaFile(kind))(later)).toEqual([]);
      expect(registryEventValidator(registrySchemaFile(kind))({ ...event, detail: later })).toEqual([]);
    });

    it('is refused with a new major schemaVersion', () => {
      const next = { ...event.detail, schemaVersion: '2.0.0' };
      expect(schemaValidator(detailSchemaFile(kind))(next)).not.toEqual([]);
    });
  });

  it('malformed.json fails its detail schema, its registry schema and the zod contract', () => {
    const event = sample('malformed');
    expect(event['detail-type']).toBe(DETAIL_TYPES.completed);
    expect(schemaValidator(detailSchemaFile('completed'))(event.detail)).not.toEqual([]);
    expect(registryEventValidator(registrySchemaFile('completed'))(event)).not.toEqual([]);
    expect(pipelineEventSchema.safeParse(event).success).toBe(false);
  });
});

describe('published event schemas', () => {
  it.each(EVENT_KINDS)('%s: the detail schema names its schemaVersion in $id and title', (kind) => {
    const schema = committedSchema(detailSchemaFile(kind)) as Record<string, string>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toContain(`/${SCHEMA_VERSION}/`);
    expect(schema.title).toContain(SCHEMA_VERSION);
  });

  it.each(EVENT_KINDS)(
    '%s: the registry document is OpenAPI 3.0 with a fixed detail-type and source',
    (kind) => {
      const doc = committedSchema(registrySchemaFile(kind)) as any;
      expect(doc.openapi).toBe('3.0.0');
      expect(doc.info).toMatchObject({ version: SCHEMA_VERSION, title: eventTypeName(kind) });
      const event = doc.components.schemas.AWSEvent;
      expect(event['x-amazon-events-detail-type']).toBe(DETAIL_TYPES[kind]);
      expect(event['x-amazon-events-source']).toBe(EVENT_SOURCE);
      expect(event.properties['detail-type'].enum).toEqual([DETAIL_TYPES[kind]]);
      expect(event.properties.source.enum).toEqual([EVENT_SOURCE]);
      expect(event.properties.detail).toEqual({ $ref: `#/components/schemas/${eventTypeName(kind)}` });
      expect(doc.components.schemas[eventTypeName(kind)].type).toBe('object');
    },
  );

  it(`${REGISTRY_CONTENT_FILE} holds each registry document as the string CloudFormation needs`, () => {
    const content = committedSchema(REGISTRY_CONTENT_FILE) as Record<string, string>;
    expect(Object.keys(content).sort()).toEqual([...EVENT_KINDS].sort());
    for (const kind of EVENT_KINDS) {
      expect(typeof content[kind]).toBe('string');
      expect(JSON.parse(content[kind] as string)).toEqual(committedSchema(registrySchemaFile(kind)));
      // The Framework would try to resolve ${...} inside an inlined value.
      expect(content[kind]).not.toContain('${');
    }
  });
});
