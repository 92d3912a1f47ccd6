/**
 * A `.tar.gz` of a model folder (files at the archive root, like SageMaker's model.tar.gz),
 * produced as a stream: `drop --tar` sends it while it is written, with no temporary archive.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { FileChangedError, FileReadError } from './errors';
import { type FolderFile, listModelFolder } from './model-folder';

/**
 * Streams a gzipped tarball of `files`. A file that changes while it is packed, or cannot be
 * read, ends the stream with a {@link FileChangedError} or {@link FileReadError}.
 * `level` is gzip's (0 stores, 9 compresses most).
 */
export function tarGzStream(files: FolderFile[], options: { level?: number } = {}): Readable {
  const archive = pack();
  const gzip = createGzip({ level: options.level ?? 6 });
  archive.pipe(gzip);
  (async () => {
    for (const file of files) await addFile(archive, file);
    archive.finalize();
  })().catch((error: unknown) => {
    archive.destroy();
    gzip.destroy(error as Error);
  });
  return gzip;
}

async function addFile(archive: ReturnType<typeof pack>, file: FolderFile): Promise<void> {
  const written = new Promise<void>((resolve, reject) => {
    const entry = archive.entry(
      { name: file.name, size: file.size, mtime: new Date(0), mode: 0o644 },
      (error) => (error ? reject(new FileChangedError(file.path, { cause: error })) : resolve()),
    );
    // Exactly the size in the header: a file that grew is caught by the check below.
    const source = file.size > 0 ? createReadStream(file.path, { start: 0, end: file.size - 1 }) : undefined;
    (async () => {
      if (source) {
        for await (const chunk of source) {
          if (!entry.write(chunk)) await new Promise<void>((drained) => entry.once('drain', () => drained()));
        }
      }
      entry.end(undefined);
    })().catch((error: unknown) => {
      source?.destroy();
      reject(new FileReadError(file.path, error));
    });
  });
  await written;
  const now = await stat(file.path).catch((error: unknown) => {
    throw new FileReadError(file.path, error);
  });
  if (now.size !== file.size || now.mtimeMs !== file.mtimeMs) throw new FileChangedError(file.path);
}

/** Packs a small folder into memory (tests and fixtures; drops stream with {@link tarGzStream}). */
export function tarGzFolder(folder: string): Promise<Buffer> {
  return buffer(tarGzStream(listModelFolder(folder)));
}
