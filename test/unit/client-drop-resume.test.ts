/**
 * How `drop` decides that an object already holds a local file: the checksum forms S3 stores,
 * computed locally, and the comparison against a HEAD (mocked: S3's checksum fields cannot be
 * produced by the local stack, which stores only an MD5 ETag).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { bytesInMemory, bytesOfFile } from '../../src/client/file-checksums';
import { candidatePartSizes, MIB, partSizeFor } from '../../src/client/part-size';
import { type RemoteObject, remoteHolds } from '../../src/client/resume-check';

const dir = mkdtempSync(join(tmpdir(), 'mop-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `size` bytes of a repeating non-trivial pattern. */
function fileOf(name: string, size: number): { path: string; bytes: Buffer } {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + (i >> 11)) & 0xff;
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest();
const crc32Bytes = (b: Uint8Array) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out;
};
const split = (b: Buffer, partSize: number) => {
  const parts: Buffer[] = [];
  for (let at = 0; at < b.length; at += partSize) parts.push(b.subarray(at, at + partSize));
  return parts;
};

describe('part sizes', () => {
  it('keeps the base part size until a file needs more than 10,000 parts, then grows in whole MiB', () => {
    expect(partSizeFor(1024 * MIB, 16 * MIB)).toBe(16 * MIB);
    expect(partSizeFor(200_000 * MIB, 16 * MIB)).toBe(20 * MIB);
  });

  it('recovers the part sizes that give a stored part count: ours first, then the AWS CLI’s 8 MiB', () => {
    expect(candidatePartSizes(100 * MIB, 7, 16 * MIB)).toEqual([16 * MIB, 15 * MIB]);
    expect(candidatePartSizes(100 * MIB, 13, 16 * MIB)).toEqual([8 * MIB]);
    expect(candidatePartSizes(100 * MIB, 20, 16 * MIB)).toEqual([5 * MIB]);
  });
});

describe('local checksums in the forms S3 stores', () => {
  const { path, bytes } = fileOf('pattern.bin', 3 * MIB + 12_345);

  it('computes the single-part ETag (MD5) and the multipart ETag (MD5 of part MD5s, -N)', async () => {
    const file = bytesOfFile(path, bytes.length);
    expect(await file.checksum({ algorithm: 'MD5' })).toBe(md5(bytes).toString('hex'));
    const parts = split(bytes, MIB);
    expect(await file.checksum({ algorithm: 'MD5', partSize: MIB })).toBe(
      `${md5(Buffer.concat(parts.map(md5))).toString('hex')}-4`,
    );
  });

  it('computes full-object and composite CRC32 (CRC32 of part CRC32s, -N), in base64', async () => {
    const file = bytesOfFile(path, bytes.length);
    expect(await file.checksum({ algorithm: 'CRC32' })).toBe(crc32Bytes(bytes).toString('base64'));
    const parts = split(bytes, MIB);
    expect(await file.checksum({ algorithm: 'CRC32', partSize: MIB })).toBe(
      `${crc32Bytes(Buffer.concat(parts.map(crc32Bytes))).toString('base64')}-4`,
    );
  });

  it('computes CRC64NVME (S3’s default for objects uploaded without a checksum): the standard check value', async () => {
    // CRC-64/NVME of "123456789" is 0xae8b14860a799888.
    expect(await bytesInMemory(Buffer.from('123456789')).checksum({ algorithm: 'CRC64NVME' })).toBe(
      Buffer.from('ae8b14860a799888', 'hex').toString('base64'),
    );
  });
});

describe('remoteHolds', () => {
  const s3Mock = mockClient(S3Client);
  const s3 = new S3Client({ region: 'us-east-1' });
  const { path, bytes } = fileOf('model.bin', 40 * MIB + 1);
  const local = bytesOfFile(path, bytes.length);
  const remote = (fields: Partial<RemoteObject>): RemoteObject => ({
    key: 'models/m/model.bin',
    size: bytes.length,
    hasChecksum: false,
    ...fields,
  });
  beforeEach(() => s3Mock.reset());

  it('compares a full-object CRC32 that a HEAD reads, when the listing says there is a checksum', async () => {
    s3Mock.on(HeadObjectCommand).resolves({
      ContentLength: bytes.length,
      ChecksumCRC32: crc32Bytes(bytes).toString('base64'),
      ChecksumType: 'FULL_OBJECT',
    });

    const same = await remoteHolds(s3, 'b', remote({ hasChecksum: true }), local, 16 * MIB);

    expect(same).toEqual({ same: true, by: 'CRC32 (full object)' });
    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, { ChecksumMode: 'ENABLED' });
  });

  it('compares a composite CRC32 made with drop’s own part size', async () => {
    const parts = split(bytes, 16 * MIB).map(crc32Bytes);
    const stored = `${crc32Bytes(Buffer.concat(parts)).toString('base64')}-3`;

    const same = await remoteHolds(
      s3,
      'b',
      remote({ hasChecksum: true, checksums: { CRC32: stored } }),
      local,
      16 * MIB,
    );

    expect(same).toEqual({ same: true, by: 'CRC32 (composite)' });
  });

  it('compares a multipart ETag made by the AWS CLI (8 MiB parts)', async () => {
    const eTag = `${md5(Buffer.concat(split(bytes, 8 * MIB).map(md5))).toString('hex')}-6`;

    expect(await remoteHolds(s3, 'b', remote({ eTag }), local, 16 * MIB)).toEqual({
      same: true,
      by: 'ETag (multipart MD5)',
    });
  });

  it('sends again a file whose bytes differ, whose size differs, or whose ETag is not an MD5 (SSE-KMS)', async () => {
    const other = Buffer.from(bytes);
    other[other.length - 1] = (other.at(-1) ?? 0) ^ 0xff;

    expect(await remoteHolds(s3, 'b', remote({ eTag: md5(other).toString('hex') }), local, 16 * MIB)).toEqual(
      {
        same: false,
        by: 'ETag (MD5)',
      },
    );
    expect(await remoteHolds(s3, 'b', remote({ size: 1 }), local, 16 * MIB)).toEqual({
      same: false,
      by: 'size differs',
    });
    expect(s3Mock).not.toHaveReceivedCommand(HeadObjectCommand);
    s3Mock.on(HeadObjectCommand).resolves({ ContentLength: bytes.length, ETag: '"kms-opaque-tag"' });
    expect(await remoteHolds(s3, 'b', remote({ eTag: 'kms-opaque-tag' }), local, 16 * MIB)).toEqual({
      same: false,
      by: 'no checksum that can be computed locally',
    });
  });

  it('reads the checksum with a HEAD when the ETag is no MD5 (an SSE-KMS bucket), even if the listing names none', async () => {
    s3Mock.on(HeadObjectCommand).resolves({
      ContentLength: bytes.length,
      ETag: '"kms-opaque-tag"',
      ChecksumCRC32: crc32Bytes(bytes).toString('base64'),
    });

    expect(await remoteHolds(s3, 'b', remote({ eTag: 'kms-opaque-tag' }), local, 16 * MIB)).toEqual({
      same: true,
      by: 'CRC32 (full object)',
    });
  });
});
