/**
 * Drops from the browser: a model folder or a `.tar.gz` dropped on the page (or chosen) is
 * uploaded to the stack's S3 the way `model-opt drop` uploads it — the same plan
 * (src/cli/drop-plan.ts), so the folder's files first and its manifest last — one plain S3
 * PutObject each. XMLHttpRequest rather than fetch: only it reports upload progress. The local
 * S3 checks no signature, so the requests are unsigned.
 */
import { type DropFile, type DropInput, type DropPlan, planDrop } from '../../../src/cli/drop-plan';
import type { ConsoleConfig } from '../api-types';

/** Progress of a drop: the object being put, and bytes of the whole drop. */
export interface BrowserDropProgress {
  key: string;
  loaded: number;
  total: number;
}

/** What the user gave: a single file, or the files of one folder with paths inside it. */
export type PickedFiles =
  | { kind: 'file'; file: File }
  | { kind: 'folder'; name: string; files: DropFile<File>[] };

/** Files from a drag and drop: a folder is walked through the entries API. */
export async function filesFromDataTransfer(transfer: DataTransfer): Promise<PickedFiles | undefined> {
  const entry = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).find(Boolean);
  if (entry?.isDirectory) {
    const files: DropFile<File>[] = [];
    await walk(entry as FileSystemDirectoryEntry, '', files);
    return { kind: 'folder', name: entry.name, files };
  }
  const file = transfer.files[0];
  return file ? { kind: 'file', file } : undefined;
}

/** Files from `<input type=file webkitdirectory>`: each carries `folder/…` as webkitRelativePath. */
export function filesFromFolderInput(list: FileList): PickedFiles | undefined {
  const all = [...list];
  const name = all[0]?.webkitRelativePath.split('/')[0];
  if (!name) return undefined;
  return {
    kind: 'folder',
    name,
    files: all.map((file) => ({
      path: file.webkitRelativePath.slice(name.length + 1),
      size: file.size,
      file,
    })),
  };
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
  directory: FileSystemDirectoryEntry,
  prefix: string,
  into: DropFile<File>[],
): Promise<void> {
  const reader = directory.createReader();
  // readEntries answers in batches; an empty batch is the end.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return;
    for (const entry of batch) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, `${path}/`, into);
      else {
        const file = await new Promise<File>((resolve, reject) =>
          (entry as FileSystemFileEntry).file(resolve, reject),
        );
        into.push({ path, size: file.size, file });
      }
    }
  }
}
