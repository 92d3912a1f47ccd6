/**
 * A queue's messages on disk, so that a restarted stack continues with them. Every message a
 * queue accepts is appended to a journal before SendMessage (or the S3 notification) returns:
 * once accepted, a message survives even a `kill -9`. The whole queue (receive counts,
 * visibility, deletions) is snapshotted at most once a second, replacing the file atomically and
 * emptying the journal. A crash between two snapshots can bring back a message deleted in
 * between, which is a redelivery, as SQS allows; it never loses one.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueMessage } from './queue';

export class QueueStore {
  private readonly snapshotPath: string;
  private readonly journalPath: string;
  private timer?: NodeJS.Timeout;
  private pending?: () => QueueMessage[];

  constructor(directory: string, name: string) {
    mkdirSync(directory, { recursive: true });
    this.snapshotPath = join(directory, `${name}.json`);
    this.journalPath = join(directory, `${name}.journal.jsonl`);
  }

  /** The messages saved: the snapshot, plus those accepted after it. */
  load(): QueueMessage[] {
    const saved: QueueMessage[] = existsSync(this.snapshotPath)
      ? JSON.parse(readFileSync(this.snapshotPath, 'utf8'))
      : [];
    const ids = new Set(saved.map((m) => m.messageId));
    const journal = existsSync(this.journalPath) ? readFileSync(this.journalPath, 'utf8').split('\n') : [];
    for (const line of journal) {
      // A line cut short by a crash is a message whose send never returned.
      const message = parseLine(line);
      if (message && !ids.has(message.messageId)) {
        saved.push(message);
        ids.add(message.messageId);
      }
    }
    return saved;
  }

  /** Records an accepted message now (synchronously). */
  accepted(message: QueueMessage): void {
    appendFileSync(this.journalPath, `${JSON.stringify(message)}\n`);
  }

  /** Snapshots the queue within a second; `messages` is read when the snapshot is taken. */
  changed(messages: () => QueueMessage[]): void {
    this.pending = messages;
    // A thousand messages make a snapshot of a megabyte: taking one per change would be quadratic.
    this.timer ??= setTimeout(() => this.flush(), 1000);
  }

  /** Takes the pending snapshot now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const messages = this.pending?.();
    this.pending = undefined;
    if (!messages) return;
    const temp = `${this.snapshotPath}.tmp`;
    writeFileSync(temp, JSON.stringify(messages));
    renameSync(temp, this.snapshotPath);
    // Everything in the journal is in the snapshot now.
    writeFileSync(this.journalPath, '');
  }
}

function parseLine(line: string): QueueMessage | undefined {
  if (!line.trim()) return undefined;
  try {
    return JSON.parse(line) as QueueMessage;
  } catch {
    return undefined;
  }
}
