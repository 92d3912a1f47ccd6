/**
 * An in-process queue with SQS semantics: at-least-once delivery, a visibility timeout after
 * each receive, ChangeMessageVisibility, a receive count, and a dead-letter queue once a
 * message has been received `maxReceiveCount` times. Written by hand because no maintained npm
 * package emulates SQS in process (ElasticMQ needs a JVM and a download).
 * Times are simulated milliseconds from the stack's clock.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsServiceError } from '../protocol/aws-error';
import type { CancelTimer, Clock } from '../time/clock';

/** A message attribute as the SQS API carries it (`Binary` values base64-encoded). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

export interface QueueMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  /** Kept through redelivery, the DLQ and redrive, as SQS keeps them. */
  messageAttributes?: MessageAttributes;
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  messageAttributes: MessageAttributes;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    ApproximateFirstReceiveTimestamp: string;
    SenderId: string;
  };
}

export interface QueueOptions {
  name: string;
  arn: string;
  url: string;
  clock: Clock;
  visibilityTimeoutSeconds: number;
  redrive?: { deadLetterQueue: LocalQueue; maxReceiveCount: number };
  /** Called after every change, e.g. to persist a snapshot. */
  onChange?: () => void;
  /** Called with each message the queue accepts (sent, or moved in), before the call returns. */
  onAccept?: (message: QueueMessage) => void;
  /** Called when a message is moved to the dead-letter queue. */
  onDeadLetter?: (message: QueueMessage) => void;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly deadLetterQueue?: LocalQueue;
  private messages = new Map<string, QueueMessage>();
  /** Messages whose batch a consumer is processing: not visible, whatever their timeout says. */
  private readonly held = new Set<string>();
  private waiters = new Set<() => void>();
  private wakeTimer?: CancelTimer;

  constructor(private readonly options: QueueOptions) {
    this.deadLetterQueue = options.redrive?.deadLetterQueue;
    this.name = options.name;
    this.arn = options.arn;
    this.url = options.url;
  }

  /** The queue's `RedrivePolicy` attribute, as SQS reports it; none without a DLQ. */
  redrivePolicy(): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
    const redrive = this.options.redrive;
    return (
      redrive && {
        deadLetterTargetArn: redrive.deadLetterQueue.arn,
        maxReceiveCount: redrive.maxReceiveCount,
      }
    );
  }

  /** SendMessage. */
  send(
    body: string,
    delaySeconds = 0,
    messageAttributes: MessageAttributes = {},
  ): { messageId: string; md5OfBody: string } {
    const now = this.options.clock.now();
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      ...(Object.keys(messageAttributes).length > 0 && { messageAttributes }),
      sentAt: now,
      receiveCount: 0,
      visibleAt: now + delaySeconds * 1000,
    };
    this.messages.set(message.messageId, message);
    this.options.onAccept?.(message);
    this.changed();
    return { messageId: message.messageId, md5OfBody: message.md5OfBody };
  }

  /** ReceiveMessage without waiting: up to `max` visible messages, hidden for the timeout. */
  receive(max = 1, visibilityTimeoutSeconds = this.options.visibilityTimeoutSeconds): ReceivedMessage[] {
    const now = this.options.clock.now();
    const received: ReceivedMessage[] = [];
    // In the order sent (a Map keeps insertion order); SQS promises no order anyway.
    for (const message of this.messages.values()) {
      if (received.length >= max) break;
      if (message.visibleAt > now || this.held.has(message.messageId)) continue;
      const redrive = this.options.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.messages.delete(message.messageId);
        redrive.deadLetterQueue.adopt(message);
        this.options.onDeadLetter?.(message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityTimeoutSeconds * 1000;
      message.receiptHandle = `${message.messageId}#${randomUUID()}`;
      received.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        md5OfBody: message.md5OfBody,
        messageAttributes: message.messageAttributes ?? {},
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(Math.floor(message.sentAt)),
          ApproximateFirstReceiveTimestamp: String(Math.floor(message.firstReceivedAt)),
          SenderId: 'AIDALOCALSTACK',
        },
      });
    }
    this.changed();
    return received;
  }

  /** DeleteMessage. */
  delete(receiptHandle: string): void {
    const message = this.byReceipt(receiptHandle);
    this.messages.delete(message.messageId);
    this.changed();
  }

  /** ChangeMessageVisibility: the message becomes visible `seconds` from now. */
  changeVisibility(receiptHandle: string, seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
      throw new AwsServiceError(
        'InvalidParameterValue',
        `VisibilityTimeout must be 0..43200, got ${seconds}`,
      );
    }
    const message = this.byReceipt(receiptHandle);
    message.visibleAt = this.options.clock.now() + seconds * 1000;
    this.changed();
  }

  /**
   * Keeps messages invisible until {@link release}, e.g. while the Lambda event source's
   * invocation runs. On AWS the visibility timeout outlasts the function's timeout, so a batch
   * is never received again while it is processed; on a compressed clock a slow invocation
   * (in real time) would outlast the timeout (in simulated time), so the event source holds
   * its batch instead.
   */
  hold(messageIds: string[]): void {
    for (const id of messageIds) this.held.add(id);
  }

  /** Ends a {@link hold}: each message is visible again once its visibility timeout allows. */
  release(messageIds: string[]): void {
    for (const id of messageIds) this.held.delete(id);
    this.scheduleWake();
  }

  /** Resolves when a message may be visible (or after `maxWaitMs` simulated ms). */
  waitForMessages(maxWaitMs: number): Promise<void> {
    if (this.hasVisible()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        this.waiters.delete(done);
        resolve();
      };
      const cancel = this.options.clock.setTimeout(done, maxWaitMs);
      this.waiters.add(done);
      this.scheduleWake();
    });
  }

  /** Counts as SQS reports them: visible, in flight (received, not deleted), delayed. */
  stats(): { visible: number; inFlight: number; total: number } {
    const now = this.options.clock.now();
    let visible = 0;
    let inFlight = 0;
    for (const m of this.messages.values()) {
      if (this.held.has(m.messageId)) inFlight += 1;
      else if (m.visibleAt <= now) visible += 1;
      else if (m.receiveCount > 0) inFlight += 1;
    }
    return { visible, inFlight, total: this.messages.size };
  }

  /** Removes and returns every message, e.g. to redrive a DLQ. */
  takeAll(): QueueMessage[] {
    const all = [...this.messages.values()];
    this.messages.clear();
    this.changed();
    return all;
  }

  /** Puts back messages, e.g. moved from a DLQ: they are visible now with a fresh count. */
  adopt(message: QueueMessage): void {
    const now = this.options.clock.now();
    const adopted = { ...message, receiptHandle: undefined, visibleAt: now };
    this.messages.set(message.messageId, adopted);
    this.options.onAccept?.(adopted);
    this.changed();
  }

  /** A moved-back message starts over, as SQS redrive does. */
  redriveFrom(source: LocalQueue): number {
    const moved = source.takeAll();
    for (const m of moved) this.adopt({ ...m, receiveCount: 0, firstReceivedAt: undefined });
    return moved.length;
  }

  snapshot(): QueueMessage[] {
    return [...this.messages.values()];
  }

  restore(messages: QueueMessage[]): void {
    this.messages = new Map(messages.map((m) => [m.messageId, m]));
    this.changed();
  }

  private hasVisible(): boolean {
    const now = this.options.clock.now();
    for (const m of this.messages.values())
      if (m.visibleAt <= now && !this.held.has(m.messageId)) return true;
    return false;
  }

  private byReceipt(receiptHandle: string): QueueMessage {
    const messageId = receiptHandle.split('#', 1)[0] ?? '';
    const message = this.messages.get(messageId);
    if (!message || message.receiptHandle !== receiptHandle) {
      throw new AwsServiceError(
        'ReceiptHandleIsInvalid',
        `The receipt handle "${receiptHandle}" is not valid.`,
      );
    }
    return message;
  }

  private changed(): void {
    this.options.onChange?.();
    this.scheduleWake();
  }

  /** Wakes long-pollers now if something is visible, else at the next visibility instant. */
  private scheduleWake(): void {
    this.wakeTimer?.();
    this.wakeTimer = undefined;
    if (this.waiters.size === 0) return;
    const now = this.options.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const m of this.messages.values())
      if (!this.held.has(m.messageId)) next = Math.min(next, m.visibleAt);
    if (!Number.isFinite(next)) return;
    if (next <= now) {
      for (const wake of [...this.waiters]) wake();
      return;
    }
    this.wakeTimer = this.options.clock.setTimeout(() => this.scheduleWake(), next - now);
  }
}
