/**
 * Generated requests for every operation the edge serves (./edge-operations.ts), with fast-check
 * from a seed: well-formed ones, and ones with a fault of the kinds clients make (wrong types,
 * missing members, huge strings, deep nesting, invalid UTF-8, wrong content types, empty or
 * malformed bodies, keys S3 refuses or file systems would). Each is sent as raw bytes over
 * HTTP and what came back is tallied. Shared by the client-fault suite and `bench:clients`.
 */
import http from 'node:http';
import type { NormalizedSchema } from '@smithy/core/schema';
import fc from 'fast-check';
import { awsChunked, keyPath } from './dropped-uploads';
import {
  type AdminOperation,
  type JsonOperation,
  OPERATIONS,
  type Operation,
  type QueryOperation,
  requiredMembers,
  type S3Operation,
} from './edge-operations';

/** Real names on the stack, so that some requests get past "not found" into the handlers. */
export interface FuzzContext {
  bucket: string;
  stateMachineArn: string;
  queueUrls: string[];
  queueArns: string[];
  busNames: string[];
  topicArns: string[];
}

/** The fault a request carries ("well-formed" for none). */
export const FAULT_KINDS = [
  'well-formed',
  'wrong-type',
  'missing-member',
  'huge-string',
  'deep-nesting',
  'invalid-utf8',
  'wrong-content-type',
  'empty-body',
  'malformed-body',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FuzzRequest {
  /** `<service>.<operation>`, e.g. `sqs.SendMessage`. */
  operation: string;
  fault: FaultKind;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Leave out operations that would disturb what runs beside the fuzzing (e.g. PurgeQueue). */
  exclude?: (operation: Operation) => boolean;
}

/** `count` requests drawn from `seed`: the same seed always gives the same requests. */
export function fuzzRequests(context: FuzzContext, options: FuzzOptions): FuzzRequest[] {
  const operations = OPERATIONS.filter((op) => !options.exclude?.(op));
  const arbitrary = fc.oneof(...operations.map((op) => requestOf(op, context)));
  return fc.sample(arbitrary, { seed: options.seed, numRuns: options.count });
}

function requestOf(operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  switch (operation.protocol) {
    case 'json':
      return jsonRequest(operation, context);
    case 'query':
      return queryRequest(operation, context);
    case 's3':
      return s3Request(operation, context);
    case 'admin':
      return adminRequest(operation);
  }
}

// ----- values from shapes -----

/** Placeholders for what JSON.stringify cannot write, swapped in by serialize(). */
const DEEP = '\u0000deep\u0000';
const BAD_BYTES = '\u0000bytes\u0000';

/** Strings a member of this name might take: real names first, then anything. */
function stringFor(member: string, context: FuzzContext): fc.Arbitrary<string> {
  const real: string[] = [];
  if (/queueurl/i.test(member)) real.push(...context.queueUrls);
  else if (/(source|destination)arn/i.test(member)) real.push(...context.queueArns);
  else if (/statemachinearn/i.test(member)) real.push(context.stateMachineArn);
  else if (/executionarn/i.test(member))
    real.push(`${context.stateMachineArn.replace(':stateMachine:', ':execution:')}:fuzz`);
  else if (/eventbusname|^name$/i.test(member)) real.push(...context.busNames);
  else if (/topicarn|targetarn/i.test(member)) real.push(...context.topicArns);
  else if (/^(detail|input|message)$/i.test(member))
    real.push('{}', '{"a":1}', JSON.stringify({ jobName: 'fuzz' }));
  else if (/s3uri/i.test(member)) real.push(`s3://${context.bucket}/fuzz/`, 's3://no-such-bucket/x');
  else if (/rolearn/i.test(member)) real.push('arn:aws:iam::000000000000:role/fuzz');
  else if (/jobname/i.test(member)) real.push('fuzz-job', 'Fuzz-Job-1');
  return fc.oneof(
    { weight: 3, arbitrary: real.length > 0 ? fc.constantFrom(...real) : fc.string({ maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '../../etc/passwd', '\u0000', '💥'.repeat(3)) },
  );
}

/** A value of the shape, as a well-behaved client would send it (maybe not one AWS accepts). */
function shapedValue(
  schema: NormalizedSchema,
  member: string,
  context: FuzzContext,
  depth: number,
): fc.Arbitrary<unknown> {
  if (schema.isStructSchema()) {
    const members = [...schema.structIterator()];
    if (schema.isUnionSchema()) {
      return fc
        .constantFrom(...members)
        .chain(([name, value]) => shapedValue(value, name, context, depth + 1).map((v) => ({ [name]: v })));
    }
    const required = requiredMembers(schema);
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [index, [name, value]] of members.entries()) {
      if (index >= required && depth > 3) continue;
      model[name] = shapedValue(value, name, context, depth + 1);
    }
    const requiredKeys = members.slice(0, required).map(([name]) => name);
    return fc.record(model, { requiredKeys: requiredKeys.filter((k) => k in model) });
  }
  if (schema.isListSchema()) {
    return fc.array(shapedValue(schema.getValueSchema(), member, context, depth + 1), {
      maxLength: depth > 3 ? 1 : 3,
    });
  }
  if (schema.isMapSchema()) {
    return fc.dictionary(
      fc.string({ maxLength: 12 }),
      shapedValue(schema.getValueSchema(), member, context, depth + 1),
      {
        maxKeys: 3,
      },
    );
  }
  if (schema.isBooleanSchema()) return fc.boolean();
  if (schema.isNumericSchema())
    return fc.oneof(fc.integer({ min: -2, max: 1200 }), fc.double({ noNaN: true }));
  if (schema.isTimestampSchema()) return fc.integer({ min: 0, max: 4_102_444_800 });
  if (schema.isBlobSchema()) return fc.base64String({ maxLength: 40 });
  if (schema.isDocumentSchema()) return fc.jsonValue({ maxDepth: 2 });
  return stringFor(member, context);
}

/** Every path to a member in `value` (objects and arrays, a few levels down). */
function memberPaths(value: unknown, prefix: (string | number)[] = [], depth = 0): (string | number)[][] {
  if (depth > 4 || value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [
    [...prefix, key],
    ...memberPaths(child, [...prefix, key], depth + 1),
  ]);
}

function replaceAt(
  root: unknown,
  path: (string | number)[],
  replace: (old: unknown) => unknown | typeof DELETE,
): unknown {
  if (path.length === 0) {
    const next = replace(root);
    return next === DELETE ? {} : next;
  }
  const copy: Record<string | number, unknown> | unknown[] = Array.isArray(root)
    ? [...root]
    : { ...(root as object) };
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (rest.length === 0) {
    const next = replace((copy as Record<string | number, unknown>)[head]);
    if (next === DELETE) delete (copy as Record<string | number, unknown>)[head];
    else (copy as Record<string | number, unknown>)[head] = next;
  } else {
    (copy as Record<string | number, unknown>)[head] = replaceAt(
      (copy as Record<string | number, unknown>)[head],
      rest,
      replace,
    );
  }
  return copy;
}

const DELETE = Symbol('delete');

/** A value of another JSON type than `old`. */
function wrongTypeOf(old: unknown, pick: number): unknown {
  const candidates =
    typeof old === 'string'
      ? [5, true, {}, ['x'], null]
      : typeof old === 'number'
        ? ['5', [], { n: 1 }, false]
        : typeof old === 'boolean'
          ? ['true', 1, []]
          : Array.isArray(old)
            ? ['notalist', { 0: 'x' }, 7]
            : ['notastructure', [1, 2], 3];
  return candidates[pick % candidates.length];
}

/** The body with the fault applied; text faults use sentinels replaced after serializing. */
function faulted(value: unknown, fault: FaultKind, pickPath: number, pick: number, huge: number): unknown {
  const paths = memberPaths(value);
  const path = paths.length > 0 ? (paths[pickPath % paths.length] as (string | number)[]) : [];
  switch (fault) {
    case 'wrong-type':
      return paths.length > 0
        ? replaceAt(value, path, (old) => wrongTypeOf(old, pick))
        : wrongTypeOf(value, pick);
    case 'missing-member': {
      const top = Object.keys((value ?? {}) as object);
      return top.length > 0 ? replaceAt(value, [top[pick % top.length] as string], () => DELETE) : value;
    }
    case 'huge-string':
      return replaceAt(value, paths.length > 0 ? path : ['Huge'], () => 'x'.repeat(huge));
    case 'deep-nesting':
      return replaceAt(value, paths.length > 0 ? path : ['Deep'], () => DEEP);
    case 'invalid-utf8':
      return replaceAt(value, paths.length > 0 ? path : ['Bytes'], () => BAD_BYTES);
    default:
      return value;
  }
}

/** Serializes, then puts in what JSON cannot carry: deep nesting and bytes that are not UTF-8. */
function serialize(value: unknown, depth: number): Buffer {
  const text = JSON.stringify(value) ?? '';
  const deep = text.split(JSON.stringify(DEEP)).join(`${'['.repeat(depth)}${']'.repeat(depth)}`);
  const parts = deep.split(JSON.stringify(BAD_BYTES));
  const bad = Buffer.from([0x22, 0x61, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22]);
  return Buffer.concat(
    parts.flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [bad, Buffer.from(part)])),
  );
}

const faultArb = fc.constantFrom(...FAULT_KINDS);
const hugeArb = fc.constantFrom(10_000, 100_000, 300_000);
const depthArb = fc.constantFrom(100, 5_000, 100_000);

function jsonRequest(operation: JsonOperation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(
      shapedValue(operation.input, '', context, 0),
      faultArb,
      fc.nat(),
      fc.nat(),
      hugeArb,
      depthArb,
      fc.nat(9),
    )
    .map(([value, fault, pickPath, pick, huge, depth, variant]) => {
      let body = serialize(faulted(value, fault, pickPath, pick, huge), depth);
      let contentType = operation.contentType;
      let target = `${operation.targetPrefix}.${operation.name}`;
      if (fault === 'empty-body') body = Buffer.alloc(0);
      if (fault === 'malformed-body') {
        body = [
          body.subarray(0, Math.max(1, body.length >> 1)),
          Buffer.from('[]'),
          Buffer.from('"text"'),
          Buffer.from('null'),
          Buffer.from('{"a":'),
          Buffer.from('\u0000\u0001'),
          body,
          body,
          body,
          body,
        ][variant] as Buffer;
        // Some go to operations or services that do not exist.
        if (variant === 6) target = `${operation.targetPrefix}.NoSuchOperation`;
        if (variant === 7) target = `${operation.targetPrefix}.constructor`;
        if (variant === 8) target = 'NoSuchService.Operation';
        if (variant === 9) target = `${operation.targetPrefix}.__proto__`;
      }
      if (fault === 'wrong-content-type') {
        contentType = ['text/plain', 'application/json', 'application/xml', 'multipart/form-data'][
          variant % 4
        ] as string;
      }
      return {
        operation: `${operation.service}.${operation.name}`,
        fault,
        method: 'POST',
        path: '/',
        headers: { 'x-amz-target': target, 'content-type': contentType },
        body,
      };
    });
}

function queryRequest(operation: QueryOperation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(shapedValue(operation.input, '', context, 0), faultArb, fc.nat(), hugeArb, fc.nat(3))
    .map(([value, fault, pick, huge, variant]) => {
      const params = new URLSearchParams({ Action: operation.name, Version: '2010-03-31' });
      const members = Object.entries(value as Record<string, unknown>);
      for (const [index, [name, member]] of members.entries()) {
        if (fault === 'missing-member' && index === pick % members.length) continue;
        if (typeof member === 'object' && member !== null) {
          // Query maps and lists: Name.entry.N.key / Name.member.N
          for (const [i, [k, v]] of Object.entries(member).entries()) {
            params.append(`${name}.entry.${i + 1}.Name`, k);
            params.append(`${name}.entry.${i + 1}.Value.StringValue`, JSON.stringify(v));
          }
        } else {
          params.append(
            name,
            fault === 'huge-string' && index === pick % members.length ? 'x'.repeat(huge) : String(member),
          );
        }
      }
      let body = Buffer.from(params.toString());
      if (fault === 'invalid-utf8')
        body = Buffer.concat([body, Buffer.from('&Message=%FF%FE%C3%28&Subject=%ED%A0%80')]);
      if (fault === 'wrong-type' || fault === 'deep-nesting')
        body = Buffer.from(`${params}&Message.entry.1=[[[[&TopicArn=`);
      if (fault === 'malformed-body')
        body = Buffer.from(
          ['=&=&&%', 'Action', '%%%%', 'Action=Publish&Action=ListTopics'][variant] as string,
        );
      if (fault === 'empty-body') body = Buffer.alloc(0);
      const contentType =
        fault === 'wrong-content-type'
          ? 'application/x-www-form-urlencoded; charset=latin1'
          : 'application/x-www-form-urlencoded';
      return {
        operation: `sns.${operation.name}`,
        fault,
        method: 'POST',
        path: '/',
        headers: { 'content-type': contentType },
        body,
      };
    });
}

/** Keys S3 allows, and some it refuses, and some no file system would take. */
function keyArb(fault: FaultKind): fc.Arbitrary<string> {
  if (fault === 'huge-string')
    return fc.integer({ min: 1024, max: 2000 }).map((n) => `fuzz/${'k'.repeat(n)}`);
  return fc.oneof(
    fc.string({ minLength: 1, maxLength: 30 }).map((s) => `fuzz/${s}`),
    fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }).map((s) => `fuzz/${s}`),
    fc.constantFrom(
      'fuzz/../../../escape',
      'fuzz//double//slash',
      'fuzz/trailing/',
      '/leading',
      'fuzz/a',
      'fuzz/a/',
      'fuzz/a/b',
      'fuzz/\u0000nul',
      'fuzz/%41',
      'fuzz/+plus+',
      `fuzz/${'s'.repeat(300)}/${'t'.repeat(300)}`,
      'models/fuzz.tar.gz',
    ),
  );
}

function s3Request(operation: S3Operation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return faultArb.chain((fault) =>
    fc
      .tuple(
        keyArb(fault),
        fc.uint8Array({ maxLength: 70_000 }),
        fc.nat(),
        fc.string({ maxLength: 40 }),
        fc.nat(9),
      )
      .map(([key, bytes, pick, text, variant]) => {
        const bucket =
          fault === 'wrong-type' && variant < 3
            ? (['NO_SUCH', '..', 'x'][variant] as string)
            : context.bucket;
        let path = `/${bucket}/${keyPath(key)}`;
        if (fault === 'invalid-utf8') path += ['%FF%FE', '%ZZ', '%C3%28', '%ED%A0%80'][variant % 4];
        const headers: Record<string, string> = {
          authorization: 'AWS4-HMAC-SHA256 Credential=fuzz/20240101/us-east-1/s3/aws4_request',
        };
        let method = 'GET';
        let body: Buffer = Buffer.from(bytes);
        const odd = fault !== 'well-formed';
        const junk = encodeURIComponent(text);
        switch (operation.name) {
          case 'ListBuckets':
            path = '/';
            body = Buffer.alloc(0);
            break;
          case 'HeadBucket':
            method = 'HEAD';
            path = `/${bucket}`;
            body = Buffer.alloc(0);
            break;
          case 'ListObjects':
          case 'ListObjectsV2': {
            const v2 = operation.name === 'ListObjectsV2' ? 'list-type=2&' : '';
            const query = odd
              ? [
                  `max-keys=${junk}`,
                  'max-keys=-1',
                  `continuation-token=${junk}`,
                  `marker=${junk}&start-after=${junk}`,
                  `prefix=${junk}&delimiter=${junk}`,
                  'prefix=a&prefix=b&max-keys=1&max-keys=2',
                  'continuation-token=WyJ4IiwieSJd',
                  'max-keys=99999999999999',
                  `encoding-type=${junk}`,
                  'delimiter=%2F&max-keys=1',
                ][variant]
              : `prefix=fuzz%2F&delimiter=%2F&max-keys=${pick % 5}`;
            path = `/${bucket}?${v2}${query}`;
            body = Buffer.alloc(0);
            break;
          }
          case 'PutObject':
            method = 'PUT';
            headers['content-type'] = odd
              ? text.replace(/[^\x20-\x7e]/g, '') || 'x/y'
              : 'application/octet-stream';
            headers[`x-amz-meta-${variant}`] = text.replace(/[^\x20-\x7e]/g, '');
            if (odd && variant === 1) headers['x-amz-storage-class'] = 'NOT_A_CLASS';
            if (fault === 'empty-body') body = Buffer.alloc(0);
            break;
          case 'PutObjectAwsChunked': {
            method = 'PUT';
            headers['content-encoding'] = 'aws-chunked';
            headers['x-amz-content-sha256'] = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
            headers['x-amz-decoded-content-length'] = String(
              variant === 2 && odd ? bytes.length + 7 : bytes.length,
            );
            const framed = awsChunked(Buffer.from(bytes), 1 + (pick % 8192));
            body = !odd
              ? framed
              : ([
                  framed.subarray(0, framed.length >> 1),
                  Buffer.from('zz\r\nabc\r\n0\r\n\r\n'),
                  framed,
                  Buffer.concat([Buffer.from('5\r\nabc'), Buffer.from('\r\n0\r\n\r\n')]),
                  Buffer.from(`${'f'.repeat(20)}\r\n`),
                  Buffer.concat([Buffer.from('1;'), Buffer.alloc(10_000, 0x61), Buffer.from('\r\n')]),
                  Buffer.concat([framed, Buffer.from('trailing junk')]),
                  Buffer.from('0\r\n\r\n'),
                  Buffer.alloc(0),
                  Buffer.from('3\r\nabcXY0\r\n\r\n'),
                ][variant] as Buffer);
            break;
          }
          case 'GetObject':
            headers.range = odd
              ? ([
                  'bytes=abc',
                  'bytes=-5',
                  'bytes=10-2',
                  'bytes=0-99999999999999999999',
                  `bytes=${junk}`,
                  'items=0-1',
                  'bytes=',
                  'bytes=5-',
                  'bytes=-',
                  'bytes=1-2,4-5',
                ][variant] as string)
              : 'bytes=0-10';
            body = Buffer.alloc(0);
            break;
          case 'HeadObject':
            method = 'HEAD';
            body = Buffer.alloc(0);
            break;
          case 'DeleteObject':
            method = 'DELETE';
            body = Buffer.alloc(0);
            break;
          case 'CopyObject':
            method = 'PUT';
            headers['x-amz-copy-source'] = odd
              ? ([
                  `${bucket}`,
                  `/${bucket}/`,
                  '%ZZ/x',
                  `${bucket}/${'k'.repeat(1100)}`,
                  `no-such-bucket/x`,
                  `${bucket}/fuzz%2Fa?versionId=1`,
                  '/',
                  junk || 'x',
                  `${bucket}/%FF`,
                  `${bucket}/fuzz/a`,
                ][variant] as string)
              : `${bucket}/${keyPath('fuzz/a')}`;
            body = Buffer.alloc(0);
            break;
          case 'CreateMultipartUpload':
            method = 'POST';
            path += '?uploads';
            body = Buffer.alloc(0);
            break;
          case 'UploadPart': {
            method = 'PUT';
            const part = odd
              ? (['0', '10001', '-1', 'abc', '1.5', '../1', '', '99999999999', '1&partNumber=2', junk][
                  variant
                ] as string)
              : '1';
            const upload = odd && variant % 2 === 0 ? '../../../../tmp' : 'a'.repeat(32);
            path += `?partNumber=${part}&uploadId=${encodeURIComponent(upload)}`;
            break;
          }
          case 'CompleteMultipartUpload':
            method = 'POST';
            path += `?uploadId=${odd && variant < 5 ? encodeURIComponent(junk || '../x') : 'b'.repeat(32)}`;
            body = Buffer.from(
              odd
                ? ([
                    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
                    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>123</ETag></Part></CompleteMultipartUpload>',
                    '<CompleteMultipartUpload></CompleteMultipartUpload>',
                    '<CompleteMultipartUpload><Part>x</Part></CompleteMultipartUpload>',
                    '<oops',
                    '',
                    `<CompleteMultipartUpload>${'<Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part>'.repeat(5000)}</CompleteMultipartUpload>`,
                    '<CompleteMultipartUpload><Part><PartNumber>abc</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>',
                    `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${text.replace(/[<&]/g, '')}</ETag></Part></CompleteMultipartUpload>`,
                    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;abc&quot;</ETag></Part></CompleteMultipartUpload>',
                  ][variant] as string)
                : '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag></Part></CompleteMultipartUpload>',
            );
            break;
          case 'DeleteObjects':
            method = 'POST';
            path = `/${bucket}?delete`;
            body = Buffer.from(
              odd
                ? ([
                    '<Delete><Object>x</Object></Delete>',
                    '<Delete><Object><Key>123</Key></Object></Delete>',
                    '<Delete></Delete>',
                    '<oops',
                    '',
                    `<Delete><Object><Key>${'k'.repeat(1100)}</Key></Object></Delete>`,
                    '<Delete><Object><Key></Key></Object></Delete>',
                    `<Delete><Object><Key>fuzz/${text.replace(/[<&]/g, '')}</Key></Object></Delete>`,
                    '<Delete><Object><Key>../../x</Key></Object><Object><Key>fuzz/a</Key></Object></Delete>',
                    '<Delete><Quiet>true</Quiet><Object><Key>fuzz/a/</Key></Object></Delete>',
                  ][variant] as string)
                : '<Delete><Object><Key>fuzz/nothing</Key></Object></Delete>',
            );
            break;
          case 'PostObject':
            method = 'POST';
            path = `/${bucket}`;
            headers['content-type'] =
              odd && variant < 5 ? 'multipart/form-data' : 'multipart/form-data; boundary=fuzz';
            body = Buffer.from(
              odd && variant >= 5
                ? `--fuzz\r\nContent-Disposition: form-data; name="key"\r\n\r\n${variant === 6 ? 'k'.repeat(1100) : 'fuzz/posted'}\r\n--fuzz\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n${text}\r\n${variant === 7 ? '' : '--fuzz--\r\n'}`
                : `--fuzz\r\nContent-Disposition: form-data; name="key"\r\n\r\nfuzz/posted\r\n--fuzz\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nhello\r\n--fuzz--\r\n`,
            );
            break;
        }
        if (fault === 'wrong-content-type') headers['content-type'] = 'application/x-amz-json-1.1';
        return { operation: `s3.${operation.name}`, fault, method, path, headers, body };
      }),
  );
}

function adminRequest(operation: AdminOperation): fc.Arbitrary<FuzzRequest> {
  const [method, path] = operation.name.split(' ') as [string, string];
  return fc.tuple(faultArb, fc.jsonValue({ maxDepth: 3 }), fc.nat(4)).map(([fault, value, variant]) => {
    // Mutating routes get only bodies they must refuse: a fault the fuzzer injected would
    // change what the rest of the suite measures.
    const body =
      method === 'GET'
        ? Buffer.alloc(0)
        : ([
            Buffer.from('{"service":'),
            Buffer.from(JSON.stringify(Array.isArray(value) ? value : [value])),
            Buffer.from('"text"'),
            Buffer.from([0xff, 0xfe]),
            Buffer.from(JSON.stringify({ service: 'nowhere', error: 5, rate: 'x', match: 1 })),
          ][variant] as Buffer);
    return {
      operation: `admin.${operation.name}`,
      fault,
      method,
      path,
      headers: { 'content-type': 'application/json' },
      body,
    };
  });
}

// ----- sending -----

/** What one request got back. */
export interface FuzzOutcome {
  request: FuzzRequest;
  status: number;
  /** The AWS error code (`__type`, `<Code>`), when the answer was an error. */
  code?: string;
  /** When no answer came: what happened to the connection. */
  connectionError?: string;
}

/**
 * Sends one request; resolves with its outcome, never rejects. A request on a kept-alive
 * connection that the stack closed as idle just as it was reused is sent again on a new one
 * (the race every keep-alive client has; Node's `reusedSocket` tells it apart).
 */
export async function send(endpoint: string, request: FuzzRequest, agent: http.Agent): Promise<FuzzOutcome> {
  const first = await sendOnce(endpoint, request, agent);
  return first.reusedSocketClosed ? sendOnce(endpoint, request, agent) : first;
}

function sendOnce(
  endpoint: string,
  request: FuzzRequest,
  agent: http.Agent,
): Promise<FuzzOutcome & { reusedSocketClosed?: boolean }> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        agent,
        headers: { ...request.headers, 'content-length': request.body.length },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (chunks.length < 64) chunks.push(chunk);
        });
        res.on('error', (error) =>
          resolve({ request, status: res.statusCode ?? 0, connectionError: error.message }),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            request,
            status: res.statusCode ?? 0,
            ...codeOf(res.statusCode ?? 0, res.headers, text),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        request,
        status: 0,
        connectionError: error.message,
        reusedSocketClosed: req.reusedSocket && error.code === 'ECONNRESET',
      }),
    );
    req.end(request.body);
  });
}

function codeOf(status: number, headers: http.IncomingHttpHeaders, text: string): { code?: string } {
  if (status < 300) return {};
  const type = headers['x-amzn-errortype'];
  if (typeof type === 'string') return { code: type.split(':', 1)[0] };
  const xml = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  if (xml) return { code: xml };
  try {
    const json = JSON.parse(text) as { __type?: string };
    if (json.__type) return { code: json.__type };
  } catch {
    // not JSON
  }
  return {};
}

/** Requests per operation and answers per status and code. */
export interface FuzzTally {
  sent: number;
  byOperation: Map<string, number>;
  /** `<status> <code>`, e.g. `400 SerializationException`. */
  byAnswer: Map<string, number>;
  /** 5xx answers (but 501) and requests that got no answer. */
  failures: FuzzOutcome[];
}

export function emptyTally(): FuzzTally {
  return { sent: 0, byOperation: new Map(), byAnswer: new Map(), failures: [] };
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function tallyOutcome(tally: FuzzTally, outcome: FuzzOutcome): void {
  tally.sent += 1;
  count(tally.byOperation, outcome.request.operation);
  count(
    tally.byAnswer,
    outcome.connectionError ? 'no answer' : `${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`,
  );
  // 501 NotImplemented is an answer (a feature the stack does not serve); any other 5xx, or
  // no answer at all, is the stack's failure.
  if (outcome.connectionError || (outcome.status >= 500 && outcome.status !== 501))
    tally.failures.push(outcome);
}

/** Sends the requests, `concurrency` at a time; resolves with the tally. */
export async function sendAll(
  endpoint: string,
  requests: FuzzRequest[],
  concurrency: number,
  tally: FuzzTally = emptyTally(),
): Promise<FuzzTally> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests.length) {
          const request = requests[next++] as FuzzRequest;
          tallyOutcome(tally, await send(endpoint, request, agent));
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return tally;
}

/** One failure as a line: what was sent, what came back. */
export function describeFailure(outcome: FuzzOutcome): string {
  const { request } = outcome;
  const body = request.body.subarray(0, 200).toString('latin1');
  return `${request.operation} [${request.fault}] ${request.method} ${request.path.slice(0, 120)} → ${
    outcome.connectionError ?? `${outcome.status} ${outcome.code ?? ''}`
  }  body: ${JSON.stringify(body)}`;
}
