import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stopOnSignals } from '../../local/startup/stop-on-signals';

afterEach(() => vi.useRealTimers());

/** A stop the test ends when it chooses. */
function heldStop() {
  let finish!: (error?: Error) => void;
  const stop = vi.fn(
    () => new Promise<void>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve()))),
  );
  return { stop, finish: (error?: Error) => finish(error) };
}

function setup(timeoutMs = 15_000) {
  const signals = new EventEmitter();
  const held = heldStop();
  const exit = vi.fn();
  const report = vi.fn();
  const shutdown = stopOnSignals({ stop: held.stop, exit, timeoutMs, report, signals });
  return { signals, held, exit, report, shutdown };
}

describe('stopOnSignals', () => {
  it('stops once for a Ctrl-C relayed three times, and exits 0 only when the stop is done', async () => {
    const { signals, held, exit, report } = setup();
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    signals.emit('SIGTERM');
    expect(held.stop).toHaveBeenCalledTimes(1);
    expect(held.stop).toHaveBeenCalledWith('SIGINT');
    await Promise.resolve();
    expect(exit).not.toHaveBeenCalled();
    held.finish();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(exit).toHaveBeenCalledTimes(1);
    expect(report).not.toHaveBeenCalled();
  });

  it('lets --once stop with its own code, and a signal during that stop changes nothing', async () => {
    const { signals, held, exit, shutdown } = setup();
    const done = shutdown(1);
    signals.emit('SIGINT');
    expect(held.stop).toHaveBeenCalledTimes(1);
    expect(held.stop).toHaveBeenCalledWith(undefined);
    held.finish();
    await done;
    expect(exit.mock.calls).toEqual([[1]]);
  });

  it('quits with 1, saying so, when the stop takes longer than its bound', async () => {
    vi.useFakeTimers();
    const { signals, exit, report } = setup(15_000);
    signals.emit('SIGINT');
    await vi.advanceTimersByTimeAsync(14_999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(report).toHaveBeenCalledWith('The stack did not stop within 15 s; quitting without it.');
    expect(exit.mock.calls).toEqual([[1]]);
  });

  it('exits 1, saying why, when the stop fails', async () => {
    const { signals, held, exit, report } = setup();
    signals.emit('SIGTERM');
    held.finish(new Error('EACCES writing the queue store'));
    await vi.waitFor(() => expect(exit).toHaveBeenCalled());
    expect(report).toHaveBeenCalledWith('The stack did not stop cleanly: EACCES writing the queue store');
    expect(exit.mock.calls).toEqual([[1]]);
  });
});
