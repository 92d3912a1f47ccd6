/** The SageMaker optimization-job emulator's public API, for the edge and for tests. */
export { sageMakerEmulatorOptionsFromEnv } from './config';
export {
  createSageMakerEmulator,
  DEFAULT_MAX_CONCURRENT_JOBS,
  EMULATOR_ACCOUNT_ID,
  type JobStatusChange,
  SAGEMAKER_OPERATIONS,
  type SageMakerEmulator,
  type SageMakerEmulatorOptions,
} from './emulator';
export { handleSageMakerRequest, SAGEMAKER_TARGET_PREFIX, sageMakerRequestListener } from './http';
export {
  type ActiveFault,
  type ActiveOutcomeOverride,
  FAULT_ERRORS,
  FaultController,
  type FaultError,
  type FaultSpec,
  type OutcomeMatch,
  type OutcomeOverride,
} from './job-faults';
export { DEFAULT_DURATIONS, type JobDurations } from './lifecycle';
export { InMemoryObjectStore, type ObjectStore } from './object-store';
export { UnsupportedOptimizationError, unsupportedOptimization } from './optimization-rules';
