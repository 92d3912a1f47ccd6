/** Wiring step: the functions serverless.yml declares, run in this process. */
import { createLambdaRuntime, type LambdaRuntime } from '../lambda/runtime';
import { LOCAL_ACCOUNT_ID, type Wiring } from './wiring';

export function wireLambda(
  w: Wiring,
  root: string,
  functionEnvironment: Record<string, string>,
): LambdaRuntime {
  return createLambdaRuntime({
    root,
    functions: w.description.functions,
    region: w.region,
    accountId: LOCAL_ACCOUNT_ID,
    baseEnvironment: functionEnvironment,
    now: () => w.clock.now(),
    onInvocation: (record) =>
      w.emit({
        kind: 'invocation',
        at: w.clock.now(),
        functionKey: record.functionKey,
        ok: record.ok,
        ...(record.error && { error: `${record.error.name}: ${record.error.message}` }),
      }),
  });
}
