/** Persistence of the emulator's jobs in one JSON file, replaced atomically on every change. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JobRecord } from './job-record';

const VERSION = 1;

interface StateFileContent {
  version: typeof VERSION;
  jobs: JobRecord[];
}

/** The jobs saved in `path`; none when the file does not exist. Throws if it is unreadable. */
export function loadJobs(path: string): JobRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const content = JSON.parse(text) as Partial<StateFileContent>;
  if (content.version !== VERSION || !Array.isArray(content.jobs)) {
    throw new Error(`${path} is not a SageMaker emulator state file (version ${VERSION})`);
  }
  return content.jobs;
}

/** Writes `jobs` to `path` atomically: a reader sees the old file or the new one, never a part. */
export function saveJobs(path: string, jobs: Iterable<JobRecord>): void {
  const content: StateFileContent = { version: VERSION, jobs: [...jobs] };
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(temp, path);
}
