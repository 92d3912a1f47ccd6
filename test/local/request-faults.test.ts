import { describe, expect, it } from 'vitest';
import { RequestFaults } from '../../local/protocol/request-faults';

describe('request faults with a time window', () => {
  it('fails every matching call for durationSeconds of simulated time, then lets calls through', () => {
    let now = 1_000_000;
    const faults = new RequestFaults({ now: () => now, random: () => 0 });
    faults.inject({ error: 'ThrottlingException', rate: 1, durationSeconds: 60 });

    expect(() => faults.check('PutEvents')).toThrow(expect.objectContaining({ type: 'ThrottlingException' }));
    now += 59_999;
    expect(() => faults.check('PutEvents')).toThrow(expect.objectContaining({ type: 'ThrottlingException' }));
    now += 1;
    expect(() => faults.check('PutEvents')).not.toThrow();
    expect(faults.list()).toEqual([]);
  });

  it('ends a count fault at its window even with calls left', () => {
    let now = 0;
    const faults = new RequestFaults({ now: () => now });
    faults.inject({ error: 'InternalFailure', count: 5, durationSeconds: 10 });
    expect(() => faults.check('StartExecution')).toThrow(
      expect.objectContaining({ type: 'InternalFailure' }),
    );
    now = 10_000;
    expect(() => faults.check('StartExecution')).not.toThrow();
  });

  it('refuses a window that is not positive', () => {
    const faults = new RequestFaults();
    expect(() => faults.inject({ error: 'InternalFailure', rate: 1, durationSeconds: 0 })).toThrow(
      RangeError,
    );
  });
});
