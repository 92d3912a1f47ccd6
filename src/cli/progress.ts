/**
 * The upload progress bar of `drop` (cli-progress), on stderr: redrawn in place on a terminal,
 * a plain line every few seconds otherwise, nothing with --json unless stderr is a terminal.
 */
import cliProgress from 'cli-progress';
import type { DropProgress } from './drop';
import { formatBytes } from './format';
import type { Output } from './output';

/** Receives drop progress and draws it. */
export interface UploadProgress {
  update(progress: DropProgress): void;
  stop(): void;
}

/** A progress bar over the whole drop's bytes, with rate and ETA. */
export function uploadProgress(out: Output): UploadProgress {
  if (out.json && !out.errTty) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    stream: out.stderr as NodeJS.WriteStream,
    format: 'uploading [{bar}] {percentage}% | {bytes} | {rate} | ETA {eta_formatted} | {key}',
    barsize: 30,
    hideCursor: out.errTty,
    noTTYOutput: !out.errTty,
    notTTYSchedule: 2000,
    etaBuffer: 20,
    // The last file name may be long; the bar must not wrap.
    linewrap: false,
  });
  const started = Date.now();
  let running = false;
  const payload = (p: DropProgress) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    // Bytes found in place count towards the bar but not the rate: they were not sent.
    const skipped = p.dropSkipped > 0 ? ` (${formatBytes(p.dropSkipped)} in place, not sent)` : '';
    return {
      bytes: `${formatBytes(p.dropLoaded)}/${formatBytes(p.dropTotal)}${skipped}`,
      rate: `${formatBytes(Math.round(p.dropSent / seconds))}/s`,
      key: p.key.split('/').pop() ?? p.key,
    };
  };
  return {
    update(p) {
      if (!running) {
        bar.start(Math.max(p.dropTotal, 1), 0, payload(p));
        running = true;
      }
      bar.update(Math.min(p.dropLoaded, p.dropTotal), payload(p));
    },
    stop() {
      if (running) bar.stop();
    },
  };
}
