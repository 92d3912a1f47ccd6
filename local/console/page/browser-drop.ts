/**
 * Drops from the browser: a model folder or a `.tar.gz` dropped on the page (or chosen) is
 * uploaded to the stack's S3 the way `model-opt drop` uploads it — the same plan
 * (src/drop/drop-plan.ts), so the folder's files first and its manifest last — one plain S3
 * PutObject each. XMLHttpRequest rather than fetch: only it reports upload progress. The local
 * S3 checks no signature, so the requests are unsigned. A folder leaves out what `model-opt drop`
 * leaves out by default (src/drop/drop-filter.ts): `.git/`, caches, and what its `.modelignore`
 * names.
 */
import {
  type DropFile,
  type DropFilter,
  type DropInput,
  type DropPlan,
  dropFilter,
  type LeftOut,
  MODELIGNORE,
  planDrop,
  splitFiles,
} from '../../../src/drop';
import type { ConsoleConfig } from '../api-types';

/** Progress of a drop: the object being put, and bytes of the whole drop. */
export interface BrowserDropProgress {
  key: string;
  loaded: number;
  total: number;
}

/**
 * What the user gave: a single file, or the files of one folder with paths inside it, and what
 * the folder leaves out.
 */
export type PickedFiles =
  | { kind: 'file'; file: File }
  | { kind: 'folder'; name: string; files: DropFile<File>[]; leftOut: LeftOut[] };

/**
 * Files from a drag and drop: a folder is walked through the entries API, its `.modelignore`
 * read first, and a folder it leaves out is not walked (so its bytes are not known).
 */
export async function filesFromDataTransfer(
  transfer: DataTransfer,
  manifestName: string,
): Promise<PickedFiles | undefined> {
  const entry = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).find(Boolean);
  if (entry?.isDirectory) {
    const root = await readAll(entry as FileSystemDirectoryEntry);
    const modelignore = root.find((e) => e.isFile && e.name === MODELIGNORE);
    const filter = dropFilter({
      manifestName,
      ...(modelignore && { modelignore: await (await fileOf(modelignore as FileSystemFileEntry)).text() }),
    });
    const files: DropFile<File>[] = [];
    const leftOut: LeftOut[] = [];
    await walk(root, '', { filter, files, leftOut });
    return { kind: 'folder', name: entry.name, files, leftOut };
  }
  const file = transfer.files[0];
  return file ? { kind: 'file', file } : undefined;
}

/**
 * Files from `<input type=file webkitdirectory>`: each carries `folder/…` as webkitRelativePath.
 * The browser has listed every file already, so what is left out is counted in full.
 */
export async function filesFromFolderInput(
  list: FileList,
  manifestName: string,
): Promise<PickedFiles | undefined> {
  const all = [...list];
  const name = all[0]?.webkitRelativePath.split('/')[0];
  if (!name) return undefined;
  const files = all.map((file) => ({
    path: file.webkitRelativePath.slice(name.length + 1),
    size: file.size,
    file,
  }));
  const modelignore = files.find((f) => f.path === MODELIGNORE)?.file;
  const { kept, leftOut } = splitFiles(
    files,
    dropFilter({ manifestName, ...(modelignore && { modelignore: await modelignore.text() }) }),
  );
  return { kind: 'folder', name, files: kept, leftOut };
}

/** Uploads the picked files; resolves with the plan once the trigger object (last) is in. */
export async function dropInBrowser(
  picked: PickedFiles,
  config: ConsoleConfig,
  onProgress: (progress: BrowserDropProgress) => void,
): Promise<DropPlan<File>> {
  const input: DropInput<File> =
    picked.kind === 'file'
      ? { kind: 'artifact', name: picked.file.name, size: picked.file.size, file: picked.file }
      : { kind: 'folder', name: picked.name, files: picked.files };
  const plan = planDrop(input, config);
  let done = 0;
  for (const upload of plan.uploads) {
    const body = 'file' in upload.source ? upload.source.file : upload.source.text;
    await put(config.bucket, upload.key, body, (loaded) =>
      onProgress({ key: upload.key, loaded: done + loaded, total: plan.bytes }),
    );
    done += upload.size;
    onProgress({ key: upload.key, loaded: done, total: plan.bytes });
  }
  return plan;
}

function put(
  bucket: string,
  key: string,
  body: Blob | string,
  onLoaded: (bytes: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const path = [bucket, ...key.split('/')].map(encodeURIComponent).join('/');
    xhr.open('PUT', `/${path}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => onLoaded(event.loaded);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new Error(`PutObject ${key}: HTTP ${xhr.status} ${xhr.responseText.slice(0, 200)}`));
    xhr.onerror = () => reject(new Error(`PutObject ${key}: the request failed`));
    xhr.send(body);
  });
}

async function walk(
  entries: FileSystemEntry[],
  prefix: string,
  into: { filter: DropFilter; files: DropFile<File>[]; leftOut: LeftOut[] },
): Promise<void> {
  for (const entry of entries) {
    const path = `${prefix}${entry.name}`;
    if (into.filter.leavesOut(path, entry.isDirectory)) {
      into.leftOut.push(
        entry.isDirectory
          ? { path: `${path}/`, complete: false }
          : { path, bytes: (await fileOf(entry as FileSystemFileEntry)).size, complete: true },
      );
    } else if (entry.isDirectory)
      await walk(await readAll(entry as FileSystemDirectoryEntry), `${path}/`, into);
    else {
      const file = await fileOf(entry as FileSystemFileEntry);
      into.files.push({ path, size: file.size, file });
    }
  }
}

/** A directory's entries: readEntries answers in batches, and an empty batch is the end. */
async function readAll(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const entries: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return entries;
    entries.push(...batch);
  }
}

const fileOf = (entry: FileSystemFileEntry) =>
  new Promise<File>((resolve, reject) => entry.file(resolve, reject));
