/**
 * How the tracker polls, and the limits that shape it. The schedule travels in the execution
 * input (`tracking`, built by start-optimization from its config), so the state machine reads
 * no config and the local stack runs the ASL file as it is.
 */
import * as z from 'zod';

/**
 * The intervals the `CheckJob` state can wait between two polls. ASL Retry intervals are
 * literals, so each tier is one retrier in statemachines/track-optimization-job.asl.json that
 * matches `JobStillRunning.<tier>s`; the check function picks the tier. A test keeps this list
 * and the ASL in step.
 */
export const POLL_TIERS_SECONDS = [10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600] as const;
export type PollTier = (typeof POLL_TIERS_SECONDS)[number];

/**
 * Each poll adds three history events (TaskScheduled, TaskStarted, TaskFailed) and a Standard
 * execution holds at most 25,000. Past `pollsPerExecution` polls the tracker continues in a
 * fresh execution; this ceiling leaves room for the fixed states and transient retries.
 */
export const MAX_POLLS_PER_EXECUTION = 8000;

/** After the tracker asks SageMaker to stop a job, how long it waits for STOPPED before failing. */
export const STOP_WAIT_SECONDS = 3600;

export const trackingScheduleSchema = z.object({
  /** The check function the state machine invokes (its own; IAM allows no other). */
  checkFunctionName: z.string().min(1),
  /** Wait before the first poll: jobs spend their first minutes provisioning. */
  firstPollDelaySeconds: z.number().int().min(0).max(86_400),
  /** One of POLL_TIERS_SECONDS. */
  pollIntervalSeconds: z.literal(POLL_TIERS_SECONDS),
  /** Added to the job's MaxRuntimeInSeconds before the tracker stops it itself. */
  timeoutGraceSeconds: z.number().int().min(0),
  /** The pipeline's ceiling on tracking one job, whatever its own stopping condition. */
  maxTrackingSeconds: z.number().int().min(60),
  pollsPerExecution: z.number().int().min(1).max(MAX_POLLS_PER_EXECUTION),
});

export type TrackingSchedule = z.infer<typeof trackingScheduleSchema>;

/** The defaults start-optimization uses when the stage sets nothing. */
export const DEFAULT_TRACKING_SCHEDULE: Omit<TrackingSchedule, 'checkFunctionName'> = {
  firstPollDelaySeconds: 300,
  pollIntervalSeconds: 60,
  timeoutGraceSeconds: 900,
  maxTrackingSeconds: 28 * 86_400 + 3600,
  pollsPerExecution: 7000,
};
