import { describe, expect, it } from 'vitest';
import { CountedFault, RequestFaults } from '../../local/protocol/request-faults';

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

describe('request faults with any named error', () => {
  it('fails the next N calls of an operation with the named error, status and message', () => {
    const faults = new RequestFaults();
    faults.inject({
      error: 'ResourceNotFound',
      statusCode: 400,
      message: 'gone',
      count: 2,
      operations: ['StopOptimizationJob'],
    });

    expect(() => faults.check('DescribeOptimizationJob')).not.toThrow();
    for (let i = 0; i < 2; i++) {
      expect(() => faults.check('StopOptimizationJob')).toThrow(
        expect.objectContaining({ type: 'ResourceNotFound', statusCode: 400, message: 'gone' }),
      );
    }
    expect(() => faults.check('StopOptimizationJob')).not.toThrow();
  });

  it('refuses an unknown error without its status, a status that is no error and a malformed name', () => {
    const faults = new RequestFaults();
    expect(() => faults.inject({ error: 'AccessDeniedException', count: 1 })).toThrow(/give its statusCode/);
    expect(() => faults.inject({ error: 'AccessDeniedException', statusCode: 200, count: 1 })).toThrow(
      RangeError,
    );
    expect(() => faults.inject({ error: 'not a name', statusCode: 400, count: 1 })).toThrow(RangeError);
    expect(faults.list()).toEqual([]);
  });

  it('counts only the calls its match accepts', () => {
    const faults = new RequestFaults();
    faults.inject({
      error: 'InternalException',
      statusCode: 500,
      count: 1,
      match: (input) => (input as { kind?: string }).kind === 'terminal',
    });

    expect(() => faults.check('PutEvents', { kind: 'started' })).not.toThrow();
    expect(() => faults.check('PutEvents', { kind: 'terminal' })).toThrow(
      expect.objectContaining({ type: 'InternalException', statusCode: 500 }),
    );
    expect(() => faults.check('PutEvents', { kind: 'terminal' })).not.toThrow();
  });
});

describe('counted item faults', () => {
  it('fire for matching items only, with their code and message, until the count is used up', () => {
    const fault = new CountedFault();
    fault.set({ count: 1, code: 'ThrottlingException', message: 'slow down', match: (item) => item === 'b' });

    expect(fault.take('a')).toBeUndefined();
    expect(fault.take('b')).toMatchObject({ code: 'ThrottlingException', message: 'slow down' });
    expect(fault.take('b')).toBeUndefined();
    expect(fault.get()).toBeUndefined();
  });
});
