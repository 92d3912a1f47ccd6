/**
 * Sums a V8 CPU profile (`node --cpu-prof`) over a time window, by kind of work and by function.
 * Written here because the profile tools on npm render flame graphs or load into DevTools; none
 * sums self time inside a window, which is what a benchmark table needs.
 */

/** The parts of the `.cpuprofile` format (Chrome DevTools protocol `Profiler.Profile`) read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  /** Microseconds, on the profiled process's monotonic clock. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Samples inside the window, and the main thread's non-idle time there. */
  samples: number;
  busyMicros: number;
  kinds: { name: string; micros: number }[];
  functions: { name: string; where: string; micros: number }[];
}

/** libuv's file calls as the profile names them: native frames with no url. */
const FS_BINDINGS = new Set(
  'open openFileHandle close read readFileUtf8 writeBuffer writeBuffers writeString writev rename stat fstat lstat link unlink mkdir fsync fdatasync ftruncate'.split(
    ' ',
  ),
);

/** Kinds of work, first match wins; matched on `url` (and the function name for V8's own entries). */
const KINDS: { name: string; test: (fn: string, url: string) => boolean }[] = [
  { name: 'garbage collection', test: (fn) => fn === '(garbage collector)' },
  { name: 'MD5 and other hashing', test: (_, url) => url.includes('internal/crypto/hash') },
  { name: 'aws-chunked decoding', test: (_, url) => url.includes('/local/s3/aws-chunked') },
  { name: 'local S3 router and store', test: (_, url) => url.includes('/local/s3/') },
  { name: 'rest of the local stack', test: (_, url) => url.includes('/local/') },
  {
    name: 'file system',
    test: (fn, url) => /node:(internal\/)?fs/.test(url) || (url === '' && FS_BINDINGS.has(fn)),
  },
  { name: 'HTTP and sockets', test: (_, url) => /node:(_http_|net|internal\/(http|stream_base))/.test(url) },
  { name: 'streams', test: (_, url) => /node:(internal\/)?streams?/.test(url) },
  { name: 'dependencies (node_modules)', test: (_, url) => url.includes('/node_modules/') },
  { name: 'other Node internals', test: (_, url) => url.startsWith('node:') },
  { name: 'V8 and native, unattributed', test: (fn) => fn === '(program)' },
];
const OTHER = 'other';

/** Self time of each function inside [fromMicros, toMicros], idle left out. */
export function summariseProfile(profile: CpuProfile, fromMicros: number, toMicros: number): ProfileSummary {
  if (toMicros < profile.startTime || fromMicros > profile.endTime) {
    throw new Error(
      `the window ${fromMicros}–${toMicros} µs lies outside the profile (${profile.startTime}–${profile.endTime} µs): not the same clock?`,
    );
  }
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, { name: string; where: string; micros: number }>();
  const byKind = new Map<string, number>();
  let samples = 0;
  let busyMicros = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const micros = profile.timeDeltas[i + 1] ?? 0;
    if (at < fromMicros || at > toMicros) continue;
    const frame = nodes.get(profile.samples[i] ?? -1);
    if (!frame || frame.functionName === '(idle)') continue;
    samples++;
    busyMicros += micros;
    const kind = KINDS.find((k) => k.test(frame.functionName, frame.url))?.name ?? OTHER;
    byKind.set(kind, (byKind.get(kind) ?? 0) + micros);
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: frame.functionName || '(anonymous)', where, micros: 0 };
    entry.micros += micros;
    byFunction.set(key, entry);
  }
  return {
    samples,
    busyMicros,
    kinds: [...byKind].map(([name, micros]) => ({ name, micros })).sort((a, b) => b.micros - a.micros),
    functions: [...byFunction.values()].sort((a, b) => b.micros - a.micros),
  };
}

/** A path from the repository or node_modules on, not the machine's. */
function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const local = url.indexOf('/local/');
  if (local >= 0) return url.slice(local + 1);
  const src = url.indexOf('/src/');
  return src >= 0 ? url.slice(src + 1) : url;
}
