/**
 * The client library of the pipeline, as code outside src/ uses it (local/, harness/, bench/,
 * scripts/; a test keeps it so): plain functions taking SDK clients. It drops models (the
 * upload engine), finds a stage's resources, reads, lists, follows and stops jobs, and redrives
 * the upload DLQ; its failures are the named errors of errors.ts. `model-opt` (src/cli/) is one
 * user of it; nothing here prints or knows about exit codes.
 */

export { type Discovery, discover, type PipelineQueues, stateMachineName } from './discover';
export {
  type DeadLetter,
  type DeadLetterListing,
  describeBody,
  listDeadLetters,
  type MoveResult,
  moveDeadLetters,
} from './dlq-redrive';
export {
  DROP_DEFAULTS,
  type DropOptions,
  type DropProgress,
  type DropResult,
  dropModel,
  variantNames,
} from './drop-upload';
export * from './errors';
export { explainError } from './explain-error';
export { findModelsBuckets, modelsBucketPrefix } from './find-bucket';
export {
  type DropFollowOptions,
  type DropFollowResult,
  type DropProgress as DropVariantsProgress,
  findWatchTarget,
  followDrop,
  settleNameOf,
  type VariantProgress,
  type WatchTarget,
  worstOutcome,
} from './follow-drop';
export { type FollowOptions, type FollowResult, followJob } from './follow-job';
export { type JobSummary, type ListOptions, listEntries } from './job-list';
export { type StopResult, stopJob } from './job-stop';
export { describeOptimizationJob, type JobView, type TimelineEntry, viewJob } from './job-view';
export { type LocalDrop, type LocalDropOptions, planLocalDrop } from './local-drop';
export { IncompatibleManifestError, manifestCompatibilityIssues } from './manifest-check';
export { type FolderFile, listModelFolder, scanModelFolder } from './model-folder';
export { MIB } from './part-size';
export { tarGzFolder, tarGzStream } from './tarball';
export {
  type Clients,
  createClients,
  resolveTarget,
  stackName,
  type Target,
  type TargetOptions,
} from './target';
export { type Now, targetClock } from './target-clock';
export { type Outcome, outcomeOf, readTracking, type Tracking } from './tracking';
export { type DropGroup, isDropGroup, type ListEntry } from './variant-groups';
