/** Wiring step: the SageMaker emulator, reading models from the local S3 in-process. */
import { join } from 'node:path';
import { TERMINAL_STATUSES } from '../../src/sagemaker-api/limits';
import type { PeakTracker } from '../diagnostics/memory-peaks';
import {
  createSageMakerEmulator,
  type SageMakerEmulator,
  type SageMakerEmulatorOptions,
  sageMakerEmulatorOptionsFromEnv,
} from '../sagemaker';
import type { ObjectStore } from '../sagemaker/object-store';
import type { Wiring } from './wiring';

export function wireSageMaker(
  w: Wiring,
  objectStore: ObjectStore,
  memory: PeakTracker,
  overrides: Partial<SageMakerEmulatorOptions> = {},
): SageMakerEmulator {
  return createSageMakerEmulator({
    ...sageMakerEmulatorOptionsFromEnv(),
    ...overrides,
    region: w.region,
    clock: w.clock,
    objectStore,
    stateFile: join(w.dataDir, 'sagemaker', 'jobs.json'),
    onStatusChange: (change) => {
      // What a job cost: the stack's peak RSS from its creation to its end.
      if (change.previousStatus === undefined) memory.open(change.name);
      const peakRss = TERMINAL_STATUSES.includes(change.status) ? memory.close(change.name) : undefined;
      w.emit({
        kind: 'job-status',
        at: change.at.getTime(),
        jobName: change.name,
        status: change.status,
        failureReason: change.failureReason,
        ...(peakRss !== undefined && { peakRss }),
      });
    },
  });
}
