/**
 * S3's XML, both ways, on fast-xml-parser: answers are built from plain objects (an array
 * repeats its element, `undefined` leaves it out), and request bodies are parsed with every
 * value kept as text, whitespace included: a key of spaces is a key.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/** The namespace of every S3 answer document. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: false,
});

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // `Part` and `Object` may appear once or many times; always a list.
  isArray: (name) => name === 'Part' || name === 'Object',
});

/** An XML document: `<?xml …?>` and `root` with the S3 namespace, built from `body`. */
export function xmlDocument(root: string, body: Record<string, unknown>, namespaced = true): string {
  const element = namespaced ? { '@xmlns': S3_XMLNS, ...withoutUndefined(body) } : withoutUndefined(body);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: element })}`;
}

/** A request body parsed, or undefined when it is not well-formed XML. */
export function parseXml(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) return undefined;
  return parser.parse(text) as Record<string, unknown>;
}

/** The text of a parsed element (an element with nothing in it is ''); undefined when absent. */
export function textOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && '#text' in value) return String(value['#text']);
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0 ? '' : undefined;
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (entry === undefined) continue;
    kept[name] = Array.isArray(entry)
      ? entry.map((item) => (isPlainObject(item) ? withoutUndefined(item) : item))
      : isPlainObject(entry)
        ? withoutUndefined(entry)
        : entry;
  }
  return kept;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
