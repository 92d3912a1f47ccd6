/** The stack's clock, whose start instant persists so that a restart continues the same time line. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Clock, compressedClock } from './clock';

/** A clock running `speed` times real time, from the start saved in `path` when it ran at that speed. */
export function persistentClock(path: string, speed: number): Clock {
  let start = Date.now();
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { start: number; speed: number };
    if (saved.speed === speed) start = saved.start;
  }
  writeFileSync(path, JSON.stringify({ start, speed }));
  return compressedClock(speed, start);
}
