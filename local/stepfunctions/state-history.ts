/**
 * The path an execution took, kept on its record as one entry per state visit: the input it
 * entered with, the output it left with, the failed attempts and retries while it ran (the
 * tracker's polls are retries of CheckJob), and the error that was caught or that ended the
 * execution. The local console draws it (local/console); it is folded from the ASL runner's
 * event log, so it holds what the runner did, not a reconstruction.
 */

/** One entry into a state, and what happened until it was left. Times are the stack clock's ms. */
export interface StateVisit {
  state: string;
  enteredAt: number;
  input: unknown;
  exitedAt?: number;
  output?: unknown;
  /** Retries while in the state (for CheckJob: the polls). */
  retries?: number;
  /** Failed attempts by error name, the retried ones included. */
  errors?: Record<string, number>;
  /** The error a Catch handled, and the state it went to. */
  caught?: { error: string; next: string };
  /** The error that left the state unhandled: the execution failed here. */
  failed?: { error: string; cause: string };
}

/** The runner's event-log entries this folds (a structural subset of the library's EventLog). */
export interface StateEvent {
  type: string;
  state?: { name: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  catch?: { catcher?: { Next?: string } };
}

/** Folds one runner event into `record.history`; events of other kinds are ignored. */
export function recordStateEvent(record: { history?: StateVisit[] }, event: StateEvent, at: number): void {
  if (!event.state) return;
  record.history ??= [];
  const history = record.history;
  const name = event.state.name;
  if (event.type === 'StateEntered') {
    history.push({ state: name, enteredAt: at, input: event.state.input ?? null });
    return;
  }
  const visit = history.findLast((v) => v.state === name && v.exitedAt === undefined);
  if (!visit) return;
  switch (event.type) {
    case 'StateExited':
      visit.exitedAt = at;
      visit.output = event.state.output ?? null;
      return;
    case 'StateFailed': {
      const error = event.Error ?? 'States.Runtime';
      visit.errors = { ...visit.errors, [error]: (visit.errors?.[error] ?? 0) + 1 };
      // Until a retry or a catch follows, the failure is the execution's.
      visit.failed = {
        error,
        cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause),
      };
      return;
    }
    case 'StateRetried':
      visit.retries = (visit.retries ?? 0) + 1;
      delete visit.failed;
      return;
    case 'StateCaught':
      // StateExited follows, with the error output as the state's output.
      visit.caught = { error: visit.failed?.error ?? 'States.ALL', next: event.catch?.catcher?.Next ?? '' };
      delete visit.failed;
      return;
  }
}
