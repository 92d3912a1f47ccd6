/** Wiring step: the state machines serverless.yml declares, run by the ASL runner. */
import { join } from 'node:path';
import {
  createStepFunctionsService,
  type ExecuteDefinition,
  type StepFunctionsService,
} from '../stepfunctions/service';
import type { Wiring } from './wiring';

export function wireStepFunctions(w: Wiring, execute: ExecuteDefinition): StepFunctionsService {
  return createStepFunctionsService({
    stateMachines: w.description.stateMachines,
    clock: w.clock,
    execute,
    stateDirectory: join(w.dataDir, 'stepfunctions', 'executions'),
    onChange: (e) =>
      w.emit({
        kind: 'execution',
        at: w.clock.now(),
        name: e.name,
        status: e.status,
        error: e.error,
        cause: e.cause,
      }),
  });
}
