/**
 * What happens in the local stack, as one stream of typed records: the timeline renders it,
 * tests and tools can follow it. Times are simulated (the stack's clock).
 */
import { EventEmitter } from 'node:events';

export type Activity =
  | { kind: 'object-created'; at: number; bucket: string; key: string; notified: boolean }
  | { kind: 'invocation'; at: number; functionKey: string; ok: boolean; error?: string }
  | { kind: 'batch'; at: number; functionKey: string; size: number; failed: number }
  | { kind: 'dead-lettered'; at: number; queue: string; count: number }
  | {
      kind: 'job-status';
      at: number;
      jobName: string;
      status: string;
      failureReason?: string;
      /** On a job's end: the stack's peak RSS (bytes, sampled) from the job's creation to its end. */
      peakRss?: number;
    }
  | { kind: 'execution'; at: number; name: string; status: string; error?: string; cause?: string }
  | { kind: 'event'; at: number; detailType: string; jobName?: string; key?: string; detail: unknown }
  | { kind: 'delivery'; at: number; rule: string; ok: boolean; error?: string }
  | { kind: 'sns'; at: number; topicArn: string; subject?: string };

/** A typed emitter of {@link Activity} records. */
export class ActivityLog {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  emit(activity: Activity): void {
    this.emitter.emit('activity', activity);
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: (activity: Activity) => void): () => void {
    this.emitter.on('activity', listener);
    return () => this.emitter.off('activity', listener);
  }
}
