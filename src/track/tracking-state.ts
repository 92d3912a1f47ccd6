/**
 * What the `CheckJob` state hands the check function: the execution's state (its input plus
 * what earlier states added) and the bits of the context object the function needs. The whole
 * state goes in (`"state.$": "$"`), so no ASL path ever points at a field that may be missing.
 */
import * as z from 'zod';
import {
  completedDetailSchema,
  DETAIL_TYPES,
  failedDetailSchema,
  stoppedDetailSchema,
} from '../events/contract';
import { trackingInputSchema } from '../job/tracking-input';

/** A stop the tracker requested, carried until the job reports STOPPED. */
export const pendingStopSchema = z.object({
  requestedAt: z.iso.datetime(),
  /** The failureReason of the Stopped event: says it timed out and after how long. */
  reason: z.string().min(1),
});

/** Set on executions that continue tracking for an earlier one (history cap). */
export const continuationSchema = z.object({
  /** 1 for the first continuation. */
  index: z.number().int().min(1),
  /** The first execution's start and ARN: the events keep reporting them. */
  startedAt: z.string(),
  executionArn: z.string(),
});

/** What the check function tells the state machine to do next (the `Route` state reads `action`). */
export const checkOutcomeSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('publish'),
    detailType: z.enum([DETAIL_TYPES.completed, DETAIL_TYPES.failed, DETAIL_TYPES.stopped]),
    detail: z.union([completedDetailSchema, failedDetailSchema, stoppedDetailSchema]),
  }),
  z.object({ action: z.literal('stop'), stop: pendingStopSchema }),
  z.object({
    action: z.literal('continue'),
    name: z.string().min(1).max(80),
    input: z.record(z.string(), z.unknown()),
  }),
]);

/** A Task error as a Catch's ResultPath records it. */
export const taskErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });

/** The execution's state: its input plus what CheckJob added. */
export const trackingStateSchema = trackingInputSchema.extend({
  continuation: continuationSchema.optional(),
  check: z
    .object({
      /** The last outcome of CheckJob (ResultSelector keeps the Lambda's Payload only). */
      Payload: checkOutcomeSchema,
      /**
       * Set by StopJob's Catch when SageMaker refused the stop that Payload asked for; the next
       * CheckJob result replaces `check`, and with it this.
       */
      stopRefused: taskErrorSchema.optional(),
    })
    .optional(),
});

/** The check function's payload, as CheckJob's Parameters build it. */
export const checkPayloadSchema = z.object({
  state: trackingStateSchema,
  execution: z.object({
    id: z.string().startsWith('arn:'),
    startTime: z.string(),
  }),
  /** `$$.State.RetryCount`: the polls (and transient retries) of this CheckJob entry so far. */
  retryCount: z.number().int().min(0),
});

export type PendingStop = z.infer<typeof pendingStopSchema>;
export type TaskError = z.infer<typeof taskErrorSchema>;
export type Continuation = z.infer<typeof continuationSchema>;
export type CheckOutcome = z.infer<typeof checkOutcomeSchema>;
export type TrackingState = z.infer<typeof trackingStateSchema>;
export type CheckPayload = z.infer<typeof checkPayloadSchema>;
