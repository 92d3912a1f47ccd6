/**
 * Execution records on disk, one file per execution, each replaced atomically and at once on
 * every change: a status, or the state an execution just entered. A restarted stack resumes a
 * running execution at that state, so a write that waited (as a batched one would) could send
 * it back to a Task it had already done, e.g. to put Started again. One file per execution
 * keeps each write the size of one record, however many executions there are.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionRecord } from './service';

export class ExecutionStore {
  constructor(private readonly directory: string) {
    mkdirSync(directory, { recursive: true });
  }

  /** Every saved execution. */
  load(): ExecutionRecord[] {
    if (!existsSync(this.directory)) return [];
    return readdirSync(this.directory)
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(join(this.directory, file), 'utf8')) as ExecutionRecord);
  }

  save(record: ExecutionRecord): void {
    // State machine and execution names exclude '/' and ':' cannot start a file name here.
    const file = join(this.directory, `${record.stateMachineArn.split(':').pop()}.${record.name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(record));
    renameSync(`${file}.tmp`, file);
  }
}
