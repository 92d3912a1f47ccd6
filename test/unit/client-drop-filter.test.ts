/**
 * What a folder drop leaves out: the defaults, `.modelignore`, `--exclude` and `--include` in
 * their order of precedence, over paths and over a folder on disk (a left-out folder is not
 * walked; its bytes are counted up to a limit).
 */
import { type Dirent, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planLocalDrop } from '../../src/client/local-drop';
import { measureLeftOut, scanModelFolder } from '../../src/client/model-folder';
import { describeLeftOut, dropFilter, splitFiles } from '../../src/drop/drop-filter';
import { DropError } from '../../src/drop/drop-plan';

const dir = mkdtempSync(join(tmpdir(), 'mop-filter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder with `files` (path → content) in it. */
function folder(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** The paths of `paths` a filter with `rules` keeps. */
const kept = (paths: string[], rules: Parameters<typeof dropFilter>[0] = {}) =>
  splitFiles(
    paths.map((path) => ({ path, size: 1 })),
    dropFilter(rules),
  ).kept.map((f) => f.path);

const CLONE = [
  'config.json',
  'model-00001-of-00002.safetensors',
  '.gitattributes',
  '.git/HEAD',
  '.git/lfs/objects/ab/cd/abcd1234',
  '.cache/huggingface/download/config.json.metadata',
  '__pycache__/modeling.cpython-312.pyc',
  'code/__pycache__/x.pyc',
  'code/modeling.py',
  '.DS_Store',
  'tokenizer/.DS_Store',
  'tokenizer/tokenizer.json',
];

describe('dropFilter', () => {
  it('leaves out .git/, .cache/, __pycache__/ and .DS_Store at any depth, and nothing else', () => {
    expect(kept(CLONE)).toEqual([
      'config.json',
      'model-00001-of-00002.safetensors',
      '.gitattributes',
      'code/modeling.py',
      'tokenizer/tokenizer.json',
    ]);
  });

  it('leaves out what .modelignore names, and the .modelignore itself', () => {
    const modelignore = '# training leftovers\n*.log\n/checkpoints/\n';
    expect(
      kept(
        [
          'config.json',
          '.modelignore',
          'train.log',
          'logs/eval.log',
          'checkpoints/step-1/w.bin',
          'a/checkpoints/b',
        ],
        {
          modelignore,
        },
      ),
    ).toEqual(['config.json', 'a/checkpoints/b']);
  });

  it('follows .modelignore negation, which can also bring back a default', () => {
    const modelignore = '*.bin\n!pytorch_model.bin\n!.cache/\n';
    expect(
      kept(['config.json', 'optimizer.bin', 'pytorch_model.bin', '.cache/x', '.git/HEAD'], { modelignore }),
    ).toEqual(['config.json', 'pytorch_model.bin', '.cache/x']);
  });

  it('--exclude adds to the defaults and wins over .modelignore; --include wins over everything', () => {
    const paths = ['config.json', 'a.bin', 'b.bin', 'notes.md', '.git/HEAD', '.git/lfs/objects/x'];
    expect(kept(paths, { exclude: ['*.md'] })).toEqual(['config.json', 'a.bin', 'b.bin']);
    expect(kept(paths, { modelignore: '!notes.md', exclude: ['*.md'] })).toEqual([
      'config.json',
      'a.bin',
      'b.bin',
    ]);
    expect(kept(paths, { exclude: ['*.bin'], include: ['b.bin'] })).toEqual([
      'config.json',
      'b.bin',
      'notes.md',
    ]);
    expect(kept(paths, { include: ['.git/'] })).toEqual(paths);
    expect(kept(paths, { modelignore: '.git/', include: ['.git/'] })).toEqual(paths);
  });

  it('cannot bring back a path under a left-out folder without the folder, as in .gitignore', () => {
    const paths = ['config.json', '.git/HEAD', '.git/lfs/objects/x'];
    expect(kept(paths, { include: ['.git/lfs/'] })).toEqual(['config.json']);
    // The folder back, all in it out again, then the one part wanted.
    expect(kept(paths, { include: ['.git/', '.git/lfs/'], exclude: ['.git/*'] })).toEqual([
      'config.json',
      '.git/lfs/objects/x',
    ]);
  });

  it('never leaves out the manifest at the root, which triggers the job', () => {
    expect(
      kept(['config.json', 'optimization.json', 'sub/optimization.json'], { exclude: ['*.json'] }),
    ).toEqual(['optimization.json']);
  });

  it('is case-sensitive, as git is on Linux', () => {
    expect(kept(['.GIT/HEAD', '.ds_store', 'README.MD'], { exclude: ['*.md'] })).toEqual([
      '.GIT/HEAD',
      '.ds_store',
      'README.MD',
    ]);
  });

  it('refuses an option pattern that is empty or that gitignore would read as a negation or a comment', () => {
    for (const rules of [{ exclude: ['!x'] }, { include: ['#x'] }, { exclude: [' '] }])
      expect(() => dropFilter(rules)).toThrow(DropError);
  });
});

describe('splitFiles and describeLeftOut', () => {
  it('group what is left out by the highest folder left out, with its bytes', () => {
    const files = [
      { path: 'config.json', size: 10 },
      { path: '.git/lfs/objects/ab/cd/abcd', size: 140 * 1024 ** 3 },
      { path: '.git/HEAD', size: 21 },
      { path: '.DS_Store', size: 6 * 1024 },
      { path: 'a/__pycache__/x.pyc', size: 5 },
    ];
    const { kept: sent, leftOut } = splitFiles(files, dropFilter());
    expect(sent.map((f) => f.path)).toEqual(['config.json']);
    expect(leftOut).toEqual([
      { path: '.DS_Store', bytes: 6 * 1024, complete: true },
      { path: '.git/', bytes: 140 * 1024 ** 3 + 21, complete: true },
      { path: 'a/__pycache__/', bytes: 5, complete: true },
    ]);
    expect(describeLeftOut(leftOut)).toBe(
      'leaving out 3 paths, 140.0 GiB: .git/ (140.0 GiB), .DS_Store (6.0 KiB), a/__pycache__/ (5 B)',
    );
  });

  it('say nothing when nothing is left out, name six and count the rest, and mark lower bounds', () => {
    expect(describeLeftOut([])).toBeUndefined();
    const many = Array.from({ length: 8 }, (_, i) => ({
      path: `d${i}/.DS_Store`,
      bytes: 8 - i,
      complete: true,
    }));
    expect(describeLeftOut(many)).toBe(
      'leaving out 8 paths, 36 B: d0/.DS_Store (8 B), d1/.DS_Store (7 B), d2/.DS_Store (6 B), d3/.DS_Store (5 B), d4/.DS_Store (4 B), d5/.DS_Store (3 B), and 2 more',
    );
    expect(describeLeftOut([{ path: '.git/', bytes: 100, complete: false }])).toBe(
      'leaving out 1 path, at least 100 B: .git/ (at least 100 B)',
    );
    expect(describeLeftOut([{ path: '.git/', complete: false }])).toBe(
      'leaving out 1 path, at least 0 B: .git/',
    );
  });
});

describe('a model folder on disk', () => {
  const clone = () =>
    folder(`clone-${Math.random().toString(36).slice(2)}`, {
      'config.json': '{}',
      'model.safetensors': 'weights',
      '.modelignore': 'notes/\n',
      'notes/todo.md': 'x',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/lfs/objects/ab/cd/abcd1234': 'weights',
      ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`.git/objects/${i}/obj`, 'loose'])),
      'sub/__pycache__/m.pyc': 'pyc',
    });

  it('is not walked under a folder left out', () => {
    const root = clone();
    const read: string[] = [];
    const readdir = (d: string): Dirent[] => {
      read.push(relative(root, d));
      return readdirSync(d, { withFileTypes: true });
    };
    const scanned = scanModelFolder(root, { filter: dropFilter({ modelignore: 'notes/\n' }), readdir });
    expect(read.sort()).toEqual(['', 'sub']);
    expect(scanned.files.map((f) => f.name)).toEqual(['config.json', 'model.safetensors']);
    expect(scanned.leftOut.map((e) => e.name)).toEqual([
      '.git/',
      '.modelignore',
      'notes/',
      'sub/__pycache__/',
    ]);
  });

  it('counts the bytes left out, and stops counting at the limit with a lower bound', () => {
    const root = clone();
    const { leftOut } = scanModelFolder(root, { filter: dropFilter({ modelignore: 'notes/\n' }) });
    const gitBytes = 'ref: refs/heads/main\n'.length + 'weights'.length + 20 * 'loose'.length;
    expect(measureLeftOut(leftOut)).toEqual([
      { path: '.git/', bytes: gitBytes, complete: true },
      { path: '.modelignore', bytes: 'notes/\n'.length, complete: true },
      { path: 'notes/', bytes: 1, complete: true },
      { path: 'sub/__pycache__/', bytes: 3, complete: true },
    ]);
    let reads = 0;
    const counted = measureLeftOut(leftOut, {
      limit: 5,
      readdir: (d) => {
        reads++;
        return readdirSync(d, { withFileTypes: true });
      },
    });
    expect(counted[0]).toMatchObject({ path: '.git/', complete: false });
    expect(counted[0]?.bytes).toBeLessThan(gitBytes);
    // The folders after it are not read at all; a file left out is one stat.
    expect(counted.slice(1)).toEqual([
      { path: '.modelignore', bytes: 'notes/\n'.length, complete: true },
      { path: 'notes/', bytes: 0, complete: false },
      { path: 'sub/__pycache__/', bytes: 0, complete: false },
    ]);
    expect(reads).toBeLessThanOrEqual(5);
  });

  it('planLocalDrop sends the kept files, manifest last, and says what it left out; --tar packs the same', () => {
    const root = clone();
    const drop = planLocalDrop({ path: root, modelId: 'm', exclude: ['*.safetensors'], include: ['notes/'] });
    expect(drop.kind === 'objects' && drop.plan.uploads.map((u) => u.key)).toEqual([
      'models/m/config.json',
      'models/m/notes/todo.md',
      'models/m/optimization.json',
    ]);
    expect(drop.leftOut.map((e) => e.path)).toEqual([
      '.git/',
      '.modelignore',
      'model.safetensors',
      'sub/__pycache__/',
    ]);
    const packed = planLocalDrop({ path: root, tar: true });
    expect(packed.kind === 'packed' && packed.files.map((f) => f.name)).toEqual([
      'config.json',
      'model.safetensors',
    ]);
    expect(() => planLocalDrop({ path: join(root, 'config.json'), include: ['x'] })).toThrow(
      '--include and --exclude apply to folder drops only',
    );
  });
});
