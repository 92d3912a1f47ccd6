/**
 * What an execution would cost and weigh on AWS, counted from the library's event log:
 *
 * - Billed state transitions: one per state entered, plus one per retry attempt (AWS bills
 *   each retry as a transition).
 * - History events, named as Step Functions' GetExecutionHistory names them. Per state entry:
 *   `<Type>StateEntered` and, when the state is left, `<Type>StateExited` (Task, Choice, Wait,
 *   Pass, Succeed, Map, Parallel; a Fail state has no exit). Per Task attempt: Scheduled,
 *   Started, then Succeeded, Failed or TimedOut, as `Task*` for service integrations
 *   (lambda:invoke included) and `LambdaFunction*` for a Lambda ARN as the Resource. Plus
 *   ExecutionStarted and ExecutionSucceeded or ExecutionFailed. Not counted: events of
 *   callbacks, activities, Map iterations and Parallel branches, which the runner does not
 *   emulate.
 */
import type { StateInfo } from './definition';

/** The library's event log entries this counts (a structural subset of its EventLog). */
export interface LibraryEvent {
  type: string;
  state?: { name: string };
  Error?: string;
}

export interface Accounting {
  billedTransitions: number;
  historyEvents: number;
  historyByType: Record<string, number>;
  /** State names in the order they were entered. */
  path: string[];
}

/** Counts one execution from its event log, event by event. */
export class ExecutionAccounting {
  private readonly byType: Record<string, number> = {};
  private billed = 0;
  /** History events so far. */
  events = 0;
  private readonly path: string[] = [];
  private caught = false;

  constructor(private readonly states: Map<string, StateInfo>) {}

  private add(type: string): void {
    this.byType[type] = (this.byType[type] ?? 0) + 1;
    this.events += 1;
  }

  private taskAttempt(info: StateInfo, outcome: 'Succeeded' | 'Failed' | 'TimedOut'): void {
    const prefix = info.resource?.startsWith('arn:aws:lambda:') ? 'LambdaFunction' : 'Task';
    this.add(`${prefix}Scheduled`);
    this.add(`${prefix}Started`);
    this.add(`${prefix}${outcome}`);
  }

  onEvent(event: LibraryEvent): void {
    const info = event.state ? this.states.get(event.state.name) : undefined;
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
        this.add(event.type);
        return;
    }
    if (!info) return;
    const isTask = info.type === 'Task';
    switch (event.type) {
      case 'StateEntered':
        this.billed += 1;
        this.caught = false;
        this.path.push(info.name);
        this.add(`${info.type}StateEntered`);
        return;
      case 'StateRetried':
        this.billed += 1;
        return;
      case 'StateFailed':
        if (isTask) this.taskAttempt(info, event.Error === 'States.Timeout' ? 'TimedOut' : 'Failed');
        return;
      case 'StateCaught':
        this.caught = true;
        return;
      case 'StateExited':
        if (isTask && !this.caught) this.taskAttempt(info, 'Succeeded');
        if (info.type !== 'Fail') this.add(`${info.type}StateExited`);
        return;
    }
  }

  result(): Accounting {
    return {
      billedTransitions: this.billed,
      historyEvents: this.events,
      historyByType: { ...this.byType },
      path: [...this.path],
    };
  }
}
