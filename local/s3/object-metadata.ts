/**
 * An object's metadata: what S3 keeps of a PUT's (or a CreateMultipartUpload's) headers, and
 * the headers a GET answers with it. User metadata (`x-amz-meta-*`) is UTF-8: a client sends
 * its bytes in the header (Node reads headers as Latin-1, so they are decoded here), and S3
 * answers a value that is not ASCII encoded as RFC 2047 (`=?UTF-8?B?…?=`), as HTTP headers must
 * carry it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3ApiError } from './s3-error';

/** The system metadata S3 keeps from a request's headers. */
const KEPT_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-type',
  'expires',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
];

const STORAGE_CLASSES = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'EXPRESS_ONEZONE',
]);

/** What an object keeps of its request's headers; `content-type` defaults as S3's does. */
export function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    if (value === undefined) continue;
    if (name.startsWith('x-amz-meta-')) metadata[name] = decodeHeaderText(value);
    else if (KEPT_HEADERS.includes(name)) metadata[name] = value;
  }
  const storageClass = metadata['x-amz-storage-class'];
  if (storageClass !== undefined && !STORAGE_CLASSES.has(storageClass)) {
    throw new S3ApiError('InvalidStorageClass', 'The storage class you specified is not valid', {
      StorageClassRequested: storageClass.slice(0, 200),
    });
  }
  if (storageClass === 'STANDARD') delete metadata['x-amz-storage-class'];
  metadata['content-type'] ??= 'binary/octet-stream';
  return metadata;
}

/** The headers a GET or HEAD answers for an object's metadata. */
export function headersOf(metadata: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    headers[name] = name.startsWith('x-amz-meta-') ? encodeHeaderText(value) : value;
  }
  return headers;
}

/** A header's bytes (read by Node as Latin-1) as UTF-8 when they are UTF-8, else as they came. */
function decodeHeaderText(value: string): string {
  const words = encodedWords(value);
  if (words !== undefined) return words;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is every code point below 0x80.
  if (/^[\x00-\x7f]*$/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : value;
}

/** An encoded word is `=?charset?B|Q?text?=`; only UTF-8 (and its ASCII subset) is taken. */
const ENCODED_WORD = /=\?(?:UTF-8|US-ASCII)\?(?:B\?([A-Za-z0-9+/=]*)|Q\?([^?\s]*))\?=/gi;

/**
 * A value made only of RFC 2047 encoded words (base64 or Q, the whitespace between two words
 * dropped, as RFC 2047 says), decoded; undefined when the value is anything else.
 */
function encodedWords(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('=?') || trimmed.replace(ENCODED_WORD, '').trim() !== '') return undefined;
  const bytes: Buffer[] = [];
  for (const [, base64, q] of trimmed.matchAll(ENCODED_WORD)) {
    if (base64 !== undefined) bytes.push(Buffer.from(base64, 'base64'));
    else {
      const text = (q ?? '').replace(/_/g, ' ');
      bytes.push(
        Buffer.from(
          text.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ),
      );
    }
  }
  return Buffer.concat(bytes).toString('utf8');
}

/** A value for a header: as is when ASCII, else RFC 2047's base64 form, as S3 answers it. */
function encodeHeaderText(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: printable ASCII and tab pass as is.
  if (/^[\x09\x20-\x7e]*$/.test(value)) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
