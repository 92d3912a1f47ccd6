/**
 * The local bus's write-ahead journal of puts made under a replay key (../replay-key): one JSON
 * line per entry put, `{key, index, eventId, line}`, appended before the entry's line goes to
 * the events log. A put replayed after a crash (same key, same entry index) is answered with the
 * first EventId and is neither logged nor delivered again. When the journal is opened, an entry
 * it holds that the events log lacks (a kill between the two appends) is appended to the log.
 *
 * Both files are mended when the journal is opened: a last line that a kill cut short is cut
 * off (./torn-tail), so later appends start on a line of their own.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cutTornTail } from './torn-tail';

interface JournalLine {
  key: string;
  index: number;
  eventId: string;
  /** The entry's line in the events log, newline included. */
  line: string;
}

export class PutJournal {
  /** EventIds by `<key>\n<index>`. */
  private readonly eventIds = new Map<string, string>();

  constructor(
    private readonly path: string,
    eventsLogPath: string,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    cutTornTail(path);
    cutTornTail(eventsLogPath);
    const lines = readLines(path);
    if (lines.length === 0) return;
    const logged = new Set(readLines(eventsLogPath).map((l) => (l as { id?: string }).id));
    for (const line of lines as JournalLine[]) {
      if (typeof line?.key !== 'string' || typeof line.eventId !== 'string') continue;
      this.eventIds.set(slot(line.key, line.index), line.eventId);
      if (!logged.has(line.eventId) && typeof line.line === 'string')
        appendFileSync(eventsLogPath, line.line);
    }
  }

  /** The EventId of the entry put under `key` at `index`, if there was one. */
  eventId(key: string, index: number): string | undefined {
    return this.eventIds.get(slot(key, index));
  }

  /** Records an entry about to be logged. Returns once the record is written. */
  record(key: string, index: number, eventId: string, line: string): void {
    const record: JournalLine = { key, index, eventId, line };
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    this.eventIds.set(slot(key, index), eventId);
  }
}

const slot = (key: string, index: number) => `${key}\n${index}`;

/** The JSON lines of a file; a line that does not parse is skipped. */
function readLines(path: string): unknown[] {
  if (!existsSync(path)) return [];
  const out: unknown[] = [];
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (!text) continue;
    try {
      out.push(JSON.parse(text));
    } catch {
      // skipped
    }
  }
  return out;
}
