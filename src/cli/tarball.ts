import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';

/** Packs a folder into a `.tar.gz` in memory (files at the archive root, like SageMaker's model.tar.gz). */
export async function tarGzFolder(folder: string): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const gzip = createGzip();
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  archive.pipe(gzip);
  const add = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) add(path);
      else
        archive.entry(
          {
            name: relative(folder, path).split(sep).join('/'),
            size: statSync(path).size,
            mtime: new Date(0),
          },
          readFileSync(path),
        );
    }
  };
  add(folder);
  archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}
