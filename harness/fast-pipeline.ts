/**
 * The pipeline on a fast local stack, as the fault suites run it (test/faults, test/clients).
 *
 * Over the functions' environment: a short tracking schedule, so jobs are seen to end within
 * seconds of simulated time; quota deferrals of at most a minute; and one SDK attempt per call.
 * The SDK's own retries sleep in real time, which the compressed clock stretches to minutes of
 * simulated time, so they would hide most faults; with one attempt every fault reaches the
 * pipeline's own retries (SQS redelivery, the state machine's Retry).
 */
export const FAST_PIPELINE_ENV = {
  TRACKING_FIRST_POLL_DELAY_SECONDS: '30',
  TRACKING_POLL_INTERVAL_SECONDS: '10',
  TRACKING_TIMEOUT_GRACE_SECONDS: '30',
  QUOTA_BACKOFF_MAX_SECONDS: '60',
  AWS_MAX_ATTEMPTS: '1',
};

/** Job phases on the fast stack, simulated seconds: at ×400 a job takes a quarter of a second. */
export const FAST_JOB_DURATIONS = { startingSeconds: 30, inProgressSeconds: 60, stoppingSeconds: 20 };

/** The same phases as `LOCAL_SAGEMAKER_*` variables, for a stack in a child process. */
export const FAST_JOB_ENV = {
  LOCAL_SAGEMAKER_STARTING_SECONDS: String(FAST_JOB_DURATIONS.startingSeconds),
  LOCAL_SAGEMAKER_INPROGRESS_SECONDS: String(FAST_JOB_DURATIONS.inProgressSeconds),
  LOCAL_SAGEMAKER_STOPPING_SECONDS: String(FAST_JOB_DURATIONS.stoppingSeconds),
};
