/**
 * Emulator defaults from environment variables, so that the local stack can be tuned without
 * code. The admin API (fault controller) can change faults later on.
 *
 * | variable | meaning |
 * | --- | --- |
 * | `LOCAL_SAGEMAKER_REGION` (else `AWS_REGION`) | region of ARNs and image URIs |
 * | `LOCAL_SAGEMAKER_STATE_FILE` | state file path |
 * | `LOCAL_SAGEMAKER_MAX_CONCURRENT_JOBS` | concurrent-job quota |
 * | `LOCAL_SAGEMAKER_STARTING_SECONDS`, `_INPROGRESS_SECONDS`, `_STOPPING_SECONDS` | phase durations (simulated) |
 * | `LOCAL_SAGEMAKER_THROTTLE_RATE` | ThrottlingException rate, 0..1 |
 * | `LOCAL_SAGEMAKER_SERVER_ERROR_RATE` | 5xx rate, 0..1 |
 * | `LOCAL_SAGEMAKER_SERVER_ERROR` | which 5xx: `InternalFailure` (default) or `ServiceUnavailable` |
 * | `LOCAL_SAGEMAKER_FAULT_OPERATIONS` | comma-separated operations the rates apply to (default all) |
 */
import type { SageMakerEmulatorOptions } from './emulator';
import type { FaultSpec } from './job-faults';
import type { JobDurations } from './lifecycle';

type Env = Record<string, string | undefined>;

function number(env: Env, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

/** The emulator options the environment sets; pass them under your own. */
export function sageMakerEmulatorOptionsFromEnv(env: Env = process.env): SageMakerEmulatorOptions {
  const options: SageMakerEmulatorOptions = {};
  const region = env.LOCAL_SAGEMAKER_REGION || env.AWS_REGION;
  if (region) options.region = region;
  if (env.LOCAL_SAGEMAKER_STATE_FILE) options.stateFile = env.LOCAL_SAGEMAKER_STATE_FILE;
  const quota = number(env, 'LOCAL_SAGEMAKER_MAX_CONCURRENT_JOBS');
  if (quota !== undefined) options.maxConcurrentJobs = quota;

  const durations: Partial<JobDurations> = {};
  const starting = number(env, 'LOCAL_SAGEMAKER_STARTING_SECONDS');
  const inProgress = number(env, 'LOCAL_SAGEMAKER_INPROGRESS_SECONDS');
  const stopping = number(env, 'LOCAL_SAGEMAKER_STOPPING_SECONDS');
  if (starting !== undefined) durations.startingSeconds = starting;
  if (inProgress !== undefined) durations.inProgressSeconds = inProgress;
  if (stopping !== undefined) durations.stoppingSeconds = stopping;
  if (Object.keys(durations).length) options.durations = durations;

  const operations = env.LOCAL_SAGEMAKER_FAULT_OPERATIONS?.split(',')
    .map((op) => op.trim())
    .filter(Boolean);
  const scope = operations?.length ? { operations } : {};
  const faults: FaultSpec[] = [];
  const throttleRate = number(env, 'LOCAL_SAGEMAKER_THROTTLE_RATE');
  if (throttleRate) faults.push({ error: 'ThrottlingException', rate: throttleRate, ...scope });
  const serverErrorRate = number(env, 'LOCAL_SAGEMAKER_SERVER_ERROR_RATE');
  if (serverErrorRate) {
    const error =
      env.LOCAL_SAGEMAKER_SERVER_ERROR === 'ServiceUnavailable' ? 'ServiceUnavailable' : 'InternalFailure';
    faults.push({ error, rate: serverErrorRate, ...scope });
  }
  if (faults.length) options.faults = faults;
  return options;
}
