/**
 * Listing and batch delete as S3 documents them (ListObjectsV2, ListObjects, DeleteObjects):
 * what clients page and clean up with, through the SDK and the AWS CLI.
 */
import {
  DeleteObjectsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, type S3Suite, startS3Suite } from '../support/s3-suite';

let t: S3Suite;
beforeAll(async () => {
  t = await startS3Suite('s3-listing');
});
afterAll(() => t.close());

async function put(...keys: string[]): Promise<void> {
  for (const key of keys) await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
}

/** `encoding-type=url` undone as botocore undoes it (unquote_plus): `+` is a space. */
const formDecoded = (text: string | undefined) => decodeURIComponent((text ?? '').replace(/\+/g, ' '));

/** Every row of a ListObjectsV2 paged with `maxKeys`: the pages' keys and prefixes, and flags. */
async function pages(prefix: string, maxKeys: number, delimiter?: string) {
  const seen: { rows: string[]; truncated: boolean | undefined; keyCount: number | undefined }[] = [];
  let token: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page: ListObjectsV2CommandOutput = await t.s3.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        Prefix: prefix,
        Delimiter: delimiter,
        MaxKeys: maxKeys,
        ContinuationToken: token,
      }),
    );
    if (token !== undefined) expect(page.ContinuationToken).toBe(token);
    seen.push({
      rows: [
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string),
        ...(page.Contents ?? []).map((c) => c.Key as string),
      ],
      truncated: page.IsTruncated,
      keyCount: page.KeyCount,
    });
    if (!page.IsTruncated) return seen;
    expect(page.NextContinuationToken).toBeDefined();
    token = page.NextContinuationToken;
  }
  throw new Error('more than 20 pages');
}

describe('ListObjectsV2', () => {
  beforeAll(() => put('ls/a/1', 'ls/a/2', 'ls/b/1', 'ls/c', 'ls/d', 'ls/e/1', 'ls/e/2', 'ls/e/3'));

  it('counts common prefixes in KeyCount', async () => {
    const page = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'ls/', Delimiter: '/' }));
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['ls/a/', 'ls/b/', 'ls/e/']);
    expect(page.Contents?.map((c) => c.Key)).toEqual(['ls/c', 'ls/d']);
    expect(page.KeyCount).toBe(5);
  });

  it.each([1, 2, 3, 4, 5])(
    'pages keys and common prefixes %i at a time, truncated until the last row',
    async (maxKeys) => {
      const seen = await pages('ls/', maxKeys, '/');
      const rows = ['ls/a/', 'ls/b/', 'ls/c', 'ls/d', 'ls/e/'];
      expect(seen.flatMap((page) => page.rows).sort()).toEqual(rows);
      expect(seen.length).toBe(Math.ceil(rows.length / maxKeys));
      expect(seen.map((page) => page.truncated)).toEqual(seen.map((_, i) => i < seen.length - 1));
      expect(seen.map((page) => page.keyCount)).toEqual(seen.map((page) => page.rows.length));
    },
  );

  it('is not truncated when what is left rolls up into a prefix already returned', async () => {
    const seen = await pages('ls/e/', 1);
    expect(seen.map((page) => page.rows)).toEqual([['ls/e/1'], ['ls/e/2'], ['ls/e/3']]);
    const rolled = await pages('ls/e', 1, '/');
    expect(rolled).toEqual([{ rows: ['ls/e/'], truncated: false, keyCount: 1 }]);
  });

  it('echoes StartAfter and lists only what follows it', async () => {
    const page = await t.s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'ls/', StartAfter: 'ls/c' }),
    );
    expect(page.StartAfter).toBe('ls/c');
    expect(page.Contents?.map((c) => c.Key)).toEqual(['ls/d', 'ls/e/1', 'ls/e/2', 'ls/e/3']);
  });
});

describe('encoding-type=url', () => {
  const ODD = ['enc/asdf+b', 'enc/with space', 'enc/ünïcödé/日本', 'enc/100%', 'enc/a&b<c>'];
  beforeAll(() => put(...ODD));

  // S3 encodes the keys, prefixes, delimiter and StartAfter it answers; a client that asked
  // decodes them. Without it a `+` in a key reads as a space to botocore (unquote_plus).
  it('is applied to keys, prefixes, the delimiter and StartAfter, so `+` survives the decoding', async () => {
    const page = await t.s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'enc/', EncodingType: 'url', StartAfter: 'enc/' }),
    );
    expect(page.EncodingType).toBe('url');
    const keys = page.Contents?.map((c) => c.Key as string) ?? [];
    expect(keys).toContain('enc/asdf%2Bb');
    expect(keys.map(formDecoded).sort()).toEqual([...ODD].sort());
    const rolled = await t.s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'enc/ü', Delimiter: '/', EncodingType: 'url' }),
    );
    expect(rolled.Prefix).toBe('enc/%C3%BC');
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['enc/%C3%BCn%C3%AFc%C3%B6d%C3%A9/']);
    expect(rolled.Delimiter).toBe('/');
  });

  it('gives the AWS CLI (which asks for it and decodes) every key as stored', async () => {
    const out = await t.cliJson<{ Contents: { Key: string }[] }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      BUCKET,
      '--prefix',
      'enc/',
    ]);
    expect(out.Contents.map((c) => c.Key).sort()).toEqual([...ODD].sort());
  });

  it('refuses another encoding type', async () => {
    const answer = await t.raw('GET', `/${BUCKET}?list-type=2&encoding-type=base64`);
    expect(answer.status).toBe(400);
    expect(answer.body.toString()).toContain('<Code>InvalidArgument</Code>');
  });
});

describe('ListObjects (v1)', () => {
  beforeAll(() => put('v1/a', 'v1/b', 'v1/c/1', 'v1/c/2', 'v1/d'));

  it('pages with Marker: NextMarker with a delimiter, the last key without one', async () => {
    const withDelimiter = await t.s3.send(
      new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'v1/', Delimiter: '/', MaxKeys: 3 }),
    );
    expect(withDelimiter.IsTruncated).toBe(true);
    expect(withDelimiter.NextMarker).toBe('v1/c/');
    const rest = await t.s3.send(
      new ListObjectsCommand({
        Bucket: BUCKET,
        Prefix: 'v1/',
        Delimiter: '/',
        Marker: withDelimiter.NextMarker,
      }),
    );
    expect(rest.Marker).toBe('v1/c/');
    expect(rest.Contents?.map((c) => c.Key)).toEqual(['v1/d']);
    expect(rest.CommonPrefixes ?? []).toEqual([]);
    // S3 answers NextMarker only with a delimiter; a client then pages from the last key.
    const plain = await t.s3.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'v1/', MaxKeys: 2 }));
    expect(plain.IsTruncated).toBe(true);
    expect(plain.NextMarker).toBeUndefined();
    const next = await t.s3.send(
      new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'v1/', Marker: plain.Contents?.at(-1)?.Key }),
    );
    expect(next.Contents?.map((c) => c.Key)).toEqual(['v1/c/1', 'v1/c/2', 'v1/d']);
    expect(next.IsTruncated).toBe(false);
  });

  it('lists every key to `aws s3 ls --recursive` (which pages with v2 and decodes)', async () => {
    const out = await t.cli(['s3', 'ls', '--recursive', '--page-size', '2', `s3://${BUCKET}/v1/`]);
    expect(
      out
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/).at(-1)),
    ).toEqual(['v1/a', 'v1/b', 'v1/c/1', 'v1/c/2', 'v1/d']);
  });
});

describe('DeleteObjects', () => {
  it('deletes keys exactly as sent: a key of spaces, and leading and trailing ones', async () => {
    const keys = ['del/   ', 'del/ lead', 'del/trail ', '   '];
    await put(...keys);
    const deleted = await t.s3.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
    expect(deleted.Errors ?? []).toEqual([]);
    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual([...keys].sort());
    const left = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'del/' }));
    expect(left.KeyCount).toBe(0);
    const spaces = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: '   ' }));
    expect(spaces.KeyCount).toBe(0);
  });

  it('lets `aws s3 rm --recursive` empty a prefix of odd keys', async () => {
    const keys = [
      'rm/ ',
      'rm/a+b',
      'rm/with space',
      'rm/ü/日本',
      'rm/100%',
      'rm/a//b',
      'rm/../x',
      'rm/a&b<c>',
    ];
    await put(...keys);
    const out = await t.cli(['s3', 'rm', '--recursive', `s3://${BUCKET}/rm/`]);
    expect(out.match(/^delete: /gm)?.length).toBe(keys.length);
    const left = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'rm/' }));
    expect(left.Contents ?? []).toEqual([]);
  });
});
