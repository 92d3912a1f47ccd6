/**
 * A local file's checksums in the forms S3 stores them, so that `drop` can tell whether an
 * object already holds the file: the ETag (MD5 of a single-part object, MD5 of the parts' MD5s
 * plus `-N` for a multipart one) and the additional checksums (CRC32, CRC32C, CRC64NVME, SHA-1,
 * SHA-256), full-object or composite (the checksum of the parts' checksums plus `-N`).
 * One sequential read of the file per checksum, in bounded memory.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { partCount } from './part-size';

/** The algorithms S3 stores: the ETag's MD5 and the additional checksums. */
export type ChecksumAlgorithm = 'MD5' | 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

/** What to compute: over the whole file, or composite over parts of `partSize` bytes. */
export type ChecksumForm =
  | { algorithm: ChecksumAlgorithm; partSize?: undefined }
  | { algorithm: ChecksumAlgorithm; partSize: number };

interface Digest {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

const nodeHash = (name: string): Digest => {
  const hash = createHash(name);
  return {
    update: (data) => {
      hash.update(data);
    },
    digest: async () => hash.digest(),
  };
};

const newDigest: Record<ChecksumAlgorithm, () => Digest> = {
  MD5: () => nodeHash('md5'),
  SHA1: () => nodeHash('sha1'),
  SHA256: () => nodeHash('sha256'),
  CRC32: () => new Crc32(),
  CRC32C: () => new Crc32c(),
  CRC64NVME: () => new Crc64Nvme(),
};

const READ_SIZE = 8 * 1024 * 1024;

const encode = (algorithm: ChecksumAlgorithm, bytes: Uint8Array) =>
  Buffer.from(bytes).toString(algorithm === 'MD5' ? 'hex' : 'base64');

/** Bytes whose checksums can be computed in every form: a local file, or a small body in memory. */
export interface LocalBytes {
  size: number;
  /** The checksum as S3 writes it: MD5 in hex (an ETag, unquoted), others in base64; composite ones end in `-<parts>`. */
  checksum(form: ChecksumForm): Promise<string>;
}

/** The file at `path`, of `size` bytes: each checksum is one sequential read, in bounded memory. */
export function bytesOfFile(path: string, size: number): LocalBytes {
  return { size, checksum: (form) => checksumOf(readChunks(path, size), size, form) };
}

/** A body held in memory (a `{}` manifest). */
export function bytesInMemory(body: Uint8Array): LocalBytes {
  return { size: body.length, checksum: (form) => checksumOf([body], body.length, form) };
}

async function* readChunks(path: string, size: number): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(Math.min(READ_SIZE, Math.max(size, 1)));
    let position = 0;
    while (position < size) {
      const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, size - position), position);
      if (bytesRead === 0) return;
      yield chunk.subarray(0, bytesRead);
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
}

async function checksumOf(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number,
  form: ChecksumForm,
): Promise<string> {
  const make = newDigest[form.algorithm];
  const partSize = form.partSize ?? Number.POSITIVE_INFINITY;
  const parts: Uint8Array[] = [];
  let part = make();
  let inPart = 0;
  for await (const chunk of chunks) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, partSize - inPart);
      part.update(chunk.subarray(offset, offset + take));
      offset += take;
      inPart += take;
      if (inPart === partSize) {
        parts.push(await part.digest());
        part = make();
        inPart = 0;
      }
    }
  }
  if (form.partSize === undefined) return encode(form.algorithm, await part.digest());
  if (inPart > 0 || parts.length === 0) parts.push(await part.digest());
  const ofParts = make();
  for (const digest of parts) ofParts.update(digest);
  return `${encode(form.algorithm, await ofParts.digest())}-${partCount(size, form.partSize)}`;
}
