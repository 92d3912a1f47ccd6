/**
 * The variant names a drop reports are read from its manifest, the trigger: never from a
 * `.tar.gz` trigger (bench:drop found a 1 GiB archive read whole as text, 11 s of CPU and
 * 1.4 GB of memory at the end of its upload), nor from a manifest over the size a stage accepts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { variantNames } from '../../src/client/drop-upload';
import type { LocalDrop } from '../../src/client/local-drop';
import { DEFAULT_MAX_MANIFEST_BYTES } from '../../src/config';

const dir = mkdtempSync(join(tmpdir(), 'variant-names-'));

/** A drop of objects whose trigger, last, is `key` holding the file at `path`. */
function dropOf(key: string, path: string, size: number): LocalDrop {
  return {
    kind: 'objects',
    plan: { uploads: [{ key, size, source: { file: { path } } }] },
  } as unknown as LocalDrop;
}

describe('variantNames', () => {
  it('reads the names from a manifest trigger', async () => {
    const path = join(dir, 'optimization.json');
    const text = JSON.stringify({ variants: [{ name: 'int8' }, { name: 'fp8' }] });
    writeFileSync(path, text);
    expect(await variantNames(dropOf('models/m/optimization.json', path, text.length))).toEqual([
      'int8',
      'fp8',
    ]);
  });

  it('never reads a .tar.gz trigger', async () => {
    const path = join(dir, 'model.tar.gz');
    writeFileSync(path, JSON.stringify({ variants: [{ name: 'would-be-read' }] }));
    expect(await variantNames(dropOf('models/m.tar.gz', path, 100))).toEqual([]);
  });

  it('never reads a manifest over the largest a stage accepts by default', async () => {
    const path = join(dir, 'huge.json');
    // Valid JSON, padded with spaces past the limit.
    const text = JSON.stringify({ variants: [{ name: 'would-be-read' }] }).padEnd(
      DEFAULT_MAX_MANIFEST_BYTES + 1,
    );
    writeFileSync(path, text);
    expect(
      await variantNames(dropOf('models/m/optimization.json', path, DEFAULT_MAX_MANIFEST_BYTES + 1)),
    ).toEqual([]);
  });
});
