/**
 * The upload progress bar of `drop`, on stderr: a live region (src/terminal/) on a terminal,
 * a plain line every few seconds otherwise, nothing with --json unless stderr is a terminal.
 * What the bar says is {@link progressLine} alone; the rest only decides when to draw it.
 */

import type { DropProgress } from '../client/drop-upload';
import { createLiveRegion } from '../terminal/live-region';
import { formatBytes, formatDuration } from '../text-format';
import { terminalStreams } from './live';
import type { Output } from './output';

/** Receives drop progress and draws it. */
export interface UploadProgress {
  update(progress: DropProgress): void;
  /** Leaves the last state on screen (or prints it, off a terminal). */
  stop(): void;
}

/** How often a plain line is printed off a terminal, in real ms. */
const PLAIN_EVERY_MS = 2000;

/**
 * A progress bar over the whole drop's bytes, with rate and ETA. `now` (real epoch ms) is the
 * clock for the rate, the ETA and the plain lines' pace.
 */
export function uploadProgress(
  out: Output,
  now: () => number = Date.now,
  options: { endOnCtrlC?: boolean } = {},
): UploadProgress {
  if (out.json && !out.errTty) return { update() {}, stop() {} };
  const started = now();
  let last: DropProgress | undefined;
  const region = createLiveRegion({ stream: out.stderr, live: out.errTty, capture: terminalStreams(out) });
  const line = (columns: number, state?: 'interrupted') =>
    last ? [progressLine(last, now() - started, columns, state)] : [];

  if (region.live) {
    // Ctrl-C leaves the bar where it stopped, then ends the process as the signal would have.
    const interrupt = () => {
      region.finish((columns) => line(columns, 'interrupted'));
      // `drop` stops itself on Ctrl-C (what is in place stays for a re-run) and says so.
      if (options.endOnCtrlC ?? true) process.kill(process.pid, 'SIGINT');
    };
    process.once('SIGINT', interrupt);
    return {
      update(progress) {
        last = progress;
        region.show(line);
      },
      stop() {
        process.off('SIGINT', interrupt);
        region.finish(line);
      },
    };
  }

  let printedAt: number | undefined;
  let printed: DropProgress | undefined;
  const print = () => {
    printedAt = now();
    printed = last;
    for (const text of line(Number.POSITIVE_INFINITY)) region.print(text);
  };
  return {
    update(progress) {
      last = progress;
      if (printedAt === undefined || now() - printedAt >= PLAIN_EVERY_MS) print();
    },
    stop() {
      if (last && last !== printed) print();
    },
  };
}

/**
 * `uploading [██████░░░░] 42% | 1.2 MiB/3.0 MiB | 800.0 KiB/s | ETA 2s | model.safetensors`,
 * with a shorter bar on a narrow terminal (a live region cuts what still does not fit), and
 * `interrupted` for `uploading` once Ctrl-C stopped it.
 */
export function progressLine(
  progress: DropProgress,
  elapsedMs: number,
  columns: number,
  state: 'uploading' | 'interrupted' = 'uploading',
): string {
  const { dropLoaded, dropTotal, dropSkipped = 0 } = progress;
  const fraction = dropTotal > 0 ? Math.min(1, dropLoaded / dropTotal) : 1;
  const barSize = columns >= 100 ? 30 : columns >= 60 ? 15 : 8;
  const filled = Math.round(fraction * barSize);
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  // Bytes found in place (a resumed drop) fill the bar but are not sent: not in the rate.
  const rate = (progress.dropSent ?? dropLoaded) / seconds;
  const eta = rate > 0 ? formatDuration(Math.max(dropTotal - dropLoaded, 0) / rate) : '-';
  const skipped = dropSkipped > 0 ? ` (${formatBytes(dropSkipped)} in place, not sent)` : '';
  return [
    `${state} [${'█'.repeat(filled)}${'░'.repeat(barSize - filled)}] ${Math.floor(fraction * 100)}%`,
    `${formatBytes(dropLoaded)}/${formatBytes(dropTotal)}${skipped}`,
    `${formatBytes(Math.round(rate))}/s`,
    `ETA ${eta}`,
    progress.key.split('/').pop() ?? progress.key,
  ].join(' | ');
}
