/**
 * User metadata that is not ASCII. S3 keeps `x-amz-meta-*` values as UTF-8 and answers a value
 * that is not ASCII in RFC 2047's form (`=?UTF-8?B?…?=`), as HTTP headers must carry it; a value
 * sent in that form is decoded before it is kept (S3 User Guide, "Working with object metadata").
 *
 * The AWS CLI cannot be the second client here: botocore refuses to send a header value that
 * is not ASCII, so it can only read such metadata back (as the RFC 2047 text).
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, type S3Suite, startS3Suite } from '../support/s3-suite';

let t: S3Suite;
beforeAll(async () => {
  t = await startS3Suite('s3-metadata');
});
afterAll(() => t.close());

/** An RFC 2047 encoded word (base64 or Q) read back into text. */
function rfc2047(value: string | undefined): string | undefined {
  const word = /^=\?UTF-8\?([BQ])\?(.*)\?=$/i.exec(value ?? '');
  if (!word) return value;
  if ((word[1] as string).toUpperCase() === 'B')
    return Buffer.from(word[2] as string, 'base64').toString('utf8');
  return decodeURIComponent((word[2] as string).replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, '%$1'));
}

const base64Word = (text: string) => `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;

describe('non-ASCII user metadata', () => {
  it('round-trips through the SDK when sent in RFC 2047 form, and comes back in that form', async () => {
    const text = 'Hello Wörld é – 日本語 🙂';
    await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'm1',
        Body: 'x',
        Metadata: { greeting: base64Word(text), plain: 'ascii' },
      }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'm1' }));
    expect(head.Metadata?.plain).toBe('ascii');
    expect(head.Metadata?.greeting).toMatch(/^=\?UTF-8\?B\?/);
    expect(rfc2047(head.Metadata?.greeting)).toBe(text);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'm1' }));
    expect(rfc2047(got.Metadata?.greeting)).toBe(text);
  });

  it('decodes RFC 2047 Q form and a value split across several encoded words', async () => {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'm4',
        Body: 'x',
        Metadata: { q: '=?utf-8?Q?caf=C3=A9_au_lait?=', split: `${base64Word('日本')} ${base64Word('語')}` },
      }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'm4' }));
    // Kept decoded, so answered as S3 answers any value that is not ASCII: one base64 word.
    expect(head.Metadata?.q).toBe(base64Word('café au lait'));
    expect(head.Metadata?.split).toBe(base64Word('日本語'));
    expect(rfc2047(head.Metadata?.q)).toBe('café au lait');
    expect(rfc2047(head.Metadata?.split)).toBe('日本語');
  });

  it('keeps UTF-8 bytes sent raw in the header (as many clients send them), not garbled', async () => {
    const text = 'Hello Wörld é';
    const put = await t.raw(
      'PUT',
      `/${BUCKET}/m2`,
      {
        'x-amz-meta-greeting': Buffer.from(text, 'utf8').toString('latin1'),
        'content-length': '1',
      },
      Buffer.from('x'),
    );
    expect(put.status).toBe(200);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'm2' }));
    expect(rfc2047(head.Metadata?.greeting)).toBe(text);
  });

  it('takes Latin-1 text the SDK sends as is (Node writes it as Latin-1 bytes)', async () => {
    await t.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'm3', Body: 'x', Metadata: { word: 'café' } }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'm3' }));
    expect(rfc2047(head.Metadata?.word)).toBe('café');
  });

  it('reads back to the AWS CLI as RFC 2047 text that decodes to the value', async () => {
    const out = await t.cliJson<{ Metadata: Record<string, string> }>([
      's3api',
      'head-object',
      '--bucket',
      BUCKET,
      '--key',
      'm1',
    ]);
    expect(rfc2047(out.Metadata.greeting)).toBe('Hello Wörld é – 日本語 🙂');
  });
});
