import { describe, expect, it } from 'vitest';
import { type CpuProfile, summariseProfile } from '../../bench/drop/profile-summary';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

/** Samples 100 µs apart from t = 1,000 µs: hash, idle, a local S3 file, GC, hash, a file write, the S3 file. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('update', 'node:internal/crypto/hash') },
    { id: 2, callFrame: frame('(idle)', '') },
    { id: 3, callFrame: frame('putPart', 'file:///repo/local/s3/hashed-store.ts') },
    { id: 4, callFrame: frame('(garbage collector)', '') },
    { id: 5, callFrame: frame('writeBuffer', '') },
  ],
  startTime: 1_000,
  endTime: 1_700,
  samples: [1, 2, 3, 4, 1, 5, 3],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100],
};

describe('summariseProfile', () => {
  it('sums self time by kind and by function, idle left out', () => {
    const summary = summariseProfile(profile, 0, 10_000);
    expect(summary.samples).toBe(6);
    // The last sample has no next delta: it stands for no time.
    expect(summary.busyMicros).toBe(500);
    expect(summary.kinds).toEqual([
      { name: 'MD5 and other hashing', micros: 200 },
      { name: 'local S3 router and store', micros: 100 },
      { name: 'garbage collection', micros: 100 },
      { name: 'file system', micros: 100 },
    ]);
    expect(summary.functions[0]).toMatchObject({ name: 'update', micros: 200 });
    expect(summary.functions.find((f) => f.name === 'putPart')?.where).toBe('local/s3/hashed-store.ts:1');
  });

  it('counts only the samples inside the window', () => {
    // Samples at 1,100 … 1,600 µs: the window 1,250–1,450 holds the third and fourth.
    const summary = summariseProfile(profile, 1_250, 1_450);
    expect(summary.samples).toBe(2);
    expect(summary.kinds.map((k) => k.name)).toEqual(['local S3 router and store', 'garbage collection']);
  });

  it('refuses a window on another clock', () => {
    expect(() => summariseProfile(profile, 5e12, 6e12)).toThrow(/outside the profile/);
  });
});
