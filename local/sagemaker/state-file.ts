/**
 * Persistence of the emulator's jobs (and the models they registered): a snapshot file (`jobs.json`), replaced atomically, and
 * beside it a journal (`jobs.json.journal`) that each change appends the changed job to before
 * the request that made it answers. Appending one job keeps a change the size of one record
 * however many jobs there are (rewriting the whole file on every change was quadratic: minutes
 * of writes for a thousand jobs); the journal is folded into the snapshot a second after
 * changes stop, and on close.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { JobRecord } from './job-record';
import type { ModelRecord } from './models';

const VERSION = 1;
const COMPACT_AFTER_MS = 1000;

interface StateFileContent {
  version: typeof VERSION;
  jobs: JobRecord[];
  /** The models jobs registered; absent in files written before models were kept. */
  models?: ModelRecord[];
}

/** One journal line: a job as it now is, the name of a job deleted, or a model registered. */
type JournalEntry = { job: JobRecord } | { deleted: string } | { model: ModelRecord };

/** The jobs saved in `path` (and its journal); none when there is no file. Throws if unreadable. */
export function loadJobs(path: string): JobRecord[] {
  return loadState(path).jobs;
}

/** The jobs and models saved in `path` (and its journal). Throws if unreadable. */
export function loadState(path: string): { jobs: JobRecord[]; models: ModelRecord[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = JSON.stringify({ version: VERSION, jobs: [] });
  }
  const content = JSON.parse(text) as Partial<StateFileContent>;
  if (content.version !== VERSION || !Array.isArray(content.jobs)) {
    throw new Error(`${path} is not a SageMaker emulator state file (version ${VERSION})`);
  }
  const jobs = new Map(content.jobs.map((job) => [nameOf(job), job]));
  const models = new Map((content.models ?? []).map((model) => [model.name.toLowerCase(), model]));
  const journal = existsSync(journalOf(path)) ? readFileSync(journalOf(path), 'utf8').split('\n') : [];
  for (const line of journal) {
    const entry = parseEntry(line);
    if (!entry) continue;
    if ('deleted' in entry) jobs.delete(entry.deleted);
    else if ('model' in entry) models.set(entry.model.name.toLowerCase(), entry.model);
    else jobs.set(nameOf(entry.job), entry.job);
  }
  return { jobs: [...jobs.values()], models: [...models.values()] };
}

/** Writes `jobs` to `path` atomically: a reader sees the old file or the new one, never a part. */
export function saveJobs(path: string, jobs: Iterable<JobRecord>, models: Iterable<ModelRecord> = []): void {
  const content: StateFileContent = { version: VERSION, jobs: [...jobs], models: [...models] };
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(temp, path);
}

/** The state file of a running emulator. */
export class JobStateFile {
  private timer?: NodeJS.Timeout;

  /** `jobs` and `models` return every job and model, for the snapshot. */
  constructor(
    private readonly path: string,
    private readonly jobs: () => Iterable<JobRecord>,
    private readonly models: () => Iterable<ModelRecord> = () => [],
  ) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Records a job's new state now (synchronously). */
  changed(job: JobRecord): void {
    this.append({ job });
  }

  /** Records a registered model now. */
  modelCreated(model: ModelRecord): void {
    this.append({ model });
  }

  /** Records a deletion now. */
  deleted(name: string): void {
    this.append({ deleted: name.toLowerCase() });
  }

  /** Folds the journal into the snapshot. */
  compact(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    saveJobs(this.path, this.jobs(), this.models());
    rmSync(journalOf(this.path), { force: true });
  }

  private append(entry: JournalEntry): void {
    appendFileSync(journalOf(this.path), `${JSON.stringify(entry)}\n`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.compact(), COMPACT_AFTER_MS);
    this.timer.unref();
  }
}

const journalOf = (path: string) => `${path}.journal`;

const nameOf = (job: JobRecord) => String(job.request.OptimizationJobName ?? '').toLowerCase();

function parseEntry(line: string): JournalEntry | undefined {
  if (!line.trim()) return undefined;
  try {
    return JSON.parse(line) as JournalEntry;
  } catch {
    // A line cut short by a crash: the change it recorded was never answered.
    return undefined;
  }
}
