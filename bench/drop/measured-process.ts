/**
 * Runs a command and measures it from outside: wall time, and, from /proc (Linux), its peak RSS
 * (VmHWM) and CPU time, sampled until it exits. Elsewhere those two are `undefined`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  /** Peak resident set size, bytes (the kernel's high-water mark at the last sample). */
  peakRss?: number;
  /** User + system CPU seconds at the last sample. */
  cpuSeconds?: number;
  stdout: string;
  stderr: string;
}

/** The kernel's accounting of a process (`peakRss` 0 once it is a zombie), or `undefined` when /proc cannot be read. */
export function procStats(pid: number): { peakRss: number; cpuSeconds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakRss: Number(hwm?.[1] ?? 0) * 1024, cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

export interface RunningMeasured {
  pid: number;
  kill(signal: NodeJS.Signals): void;
  done: Promise<MeasuredRun>;
}

/** Starts `command` and samples it every 50 ms. */
export function startMeasured(command: string, args: string[], env: NodeJS.ProcessEnv): RunningMeasured {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  // A zombie (exited, not yet reaped) still shows its CPU time but no longer its VmHWM: keep
  // the highest peak seen and the latest CPU time.
  let peakRss: number | undefined;
  let cpuSeconds: number | undefined;
  const sampler = setInterval(() => {
    const now = child.pid ? procStats(child.pid) : undefined;
    if (!now) return;
    if (now.peakRss > 0) peakRss = Math.max(peakRss ?? 0, now.peakRss);
    cpuSeconds = now.cpuSeconds;
  }, 50);
  const done = new Promise<MeasuredRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      resolve({
        code,
        signal,
        seconds: (performance.now() - started) / 1000,
        ...(peakRss !== undefined && { peakRss }),
        ...(cpuSeconds !== undefined && { cpuSeconds }),
        stdout,
        stderr,
      });
    });
  });
  return { pid: child.pid ?? 0, kill: (signal) => child.kill(signal), done };
}
