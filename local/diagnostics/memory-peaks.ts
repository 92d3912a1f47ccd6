/**
 * The local stack's memory, as a user asks about it: what did this job cost? The process's
 * resident set size is sampled every `intervalMs`, and kept as the peak of each open window
 * (one per job, from creation to its end) and the peak since the last {@link PeakTracker.resetPeak}.
 * The kernel's own peak (getrusage maxRSS) covers the whole process life and cannot be split
 * by job, so it is reported beside these, not instead of them.
 */

/** A finished window: a job and the highest RSS seen while it ran. */
export interface WindowPeak {
  name: string;
  peakRss: number;
}

export interface PeakTracker {
  /** Opens a window; sampling starts counting for it now. */
  open(name: string): void;
  /** Closes a window and returns its peak (bytes), or `undefined` if it was not open. */
  close(name: string): number | undefined;
  /** The highest sampled RSS since the tracker started or since the last {@link resetPeak}. */
  peak(): number;
  /** Starts a new {@link peak} window from the current RSS (e.g. before an upload is measured). */
  resetPeak(): void;
  /** The open windows and the last closed ones, newest last. */
  windows(): { open: WindowPeak[]; closed: WindowPeak[] };
  stop(): void;
}

/** Starts sampling `rss()` (default: this process's RSS). */
export function startPeakTracker(
  options: { intervalMs?: number; keepClosed?: number; rss?: () => number } = {},
): PeakTracker {
  const rss = options.rss ?? (() => process.memoryUsage.rss());
  const keepClosed = options.keepClosed ?? 100;
  const open = new Map<string, number>();
  const closed: WindowPeak[] = [];
  let peak = rss();
  const sample = () => {
    const now = rss();
    peak = Math.max(peak, now);
    for (const [name, value] of open) if (now > value) open.set(name, now);
    return now;
  };
  const timer = setInterval(sample, options.intervalMs ?? 100);
  timer.unref();
  return {
    open(name) {
      open.set(name, Math.max(open.get(name) ?? 0, sample()));
    },
    close(name) {
      if (!open.has(name)) return undefined;
      sample();
      const value = open.get(name) ?? 0;
      open.delete(name);
      closed.push({ name, peakRss: value });
      if (closed.length > keepClosed) closed.splice(0, closed.length - keepClosed);
      return value;
    },
    peak: () => Math.max(peak, sample()),
    resetPeak() {
      peak = rss();
    },
    windows: () => ({
      open: [...open].map(([name, peakRss]) => ({ name, peakRss })),
      closed: [...closed],
    }),
    stop: () => clearInterval(timer),
  };
}
