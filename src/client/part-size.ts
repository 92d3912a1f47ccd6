/**
 * How `drop` splits files into multipart-upload parts, and how a stored object's part size is
 * recovered from its part count (to recompute a multipart ETag or composite checksum locally).
 */

export const MIB = 1024 * 1024;
/** S3's most parts per upload. */
export const MAX_PARTS = 10_000;

/** The part size for a file of `size` bytes: `base`, grown in whole MiB so the file fits in 10,000 parts. */
export function partSizeFor(size: number, base: number): number {
  return Math.max(base, Math.ceil(size / MAX_PARTS / MIB) * MIB);
}

/** How many parts of `partSize` bytes a file of `size` bytes takes (at least one). */
export const partCount = (size: number, partSize: number): number => Math.max(1, Math.ceil(size / partSize));

/** Part sizes of well-known uploaders: the AWS CLI and boto3 (8 MiB), lib-storage (5 MiB). */
const KNOWN_PART_SIZES = [8 * MIB, 5 * MIB, 16 * MIB, 64 * MIB];

/**
 * The part sizes that split `size` bytes into exactly `parts` parts, most likely first: ours
 * (`base`), those of well-known uploaders, then the smallest whole number of MiB that fits.
 * Each candidate costs a read of the file to check, so at most `limit` are returned.
 */
export function candidatePartSizes(size: number, parts: number, base: number, limit = 3): number[] {
  const candidates = [base, ...KNOWN_PART_SIZES]
    .map((p) => partSizeFor(size, p))
    .concat(Math.ceil(size / parts / MIB) * MIB);
  const fitting = candidates.filter((p) => partCount(size, p) === parts);
  return [...new Set(fitting)].slice(0, limit);
}
