/**
 * Runs the functions serverless.yml declares, in this process, from their TypeScript source:
 * the same handler module `sls invoke local` and Lambda run. Each function's environment (and
 * the local endpoints) is applied to process.env before its module loads, because handlers
 * read configuration once at cold start.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { useClock } from '../../src/function-clock';
import type { LocalFunction } from '../service/description';

export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

export interface InvocationRecord {
  functionKey: string;
  requestId: string;
  ok: boolean;
  error?: { name: string; message: string };
}

export interface LambdaRuntime {
  /** Invokes a function by its key or deployed name; rejects with the handler's error. */
  invoke(nameOrKey: string, event: unknown): Promise<unknown>;
  has(nameOrKey: string): boolean;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface LambdaRuntimeOptions {
  root: string;
  functions: LocalFunction[];
  region: string;
  accountId: string;
  /** Variables every function gets (endpoints, credentials, log level). */
  baseEnvironment: Record<string, string>;
  /** The stack's clock (epoch ms), which the functions' `now()` (src/function-clock.ts) then reads. */
  now?: () => number;
  onInvocation?: (record: InvocationRecord) => void;
}

/** Creates the runtime. All function environments are applied at once, before any handler loads. */
export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const applied = new Map<string, string>();
  for (const fn of options.functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      const previous = applied.get(name);
      if (previous !== undefined && previous !== value) {
        throw new Error(
          `functions disagree on ${name} (${previous} vs ${value}); the local stack shares one process env`,
        );
      }
      applied.set(name, value);
    }
  }
  Object.assign(process.env, Object.fromEntries(applied), options.baseEnvironment);
  if (options.now) useClock(options.now);

  const handlers = new Map<string, Promise<Handler>>();
  const byName = new Map(options.functions.flatMap((fn) => [[fn.key, fn] as const, [fn.name, fn] as const]));

  const load = (fn: LocalFunction): Promise<Handler> => {
    let handler = handlers.get(fn.key);
    if (!handler) {
      handler = import(pathToFileURL(join(options.root, `${fn.file}.ts`)).href).then((module) => {
        const exported = module[fn.exportName];
        if (typeof exported !== 'function')
          throw new Error(`${fn.file}.ts has no exported function ${fn.exportName}`);
        return exported as Handler;
      });
      handlers.set(fn.key, handler);
    }
    return handler;
  };

  // One execution environment per function: Lambda never runs two invocations in one, and
  // handlers keep per-invocation state at module scope (a batch processor, a logger's keys).
  const environments = new Map<string, Promise<void>>();
  const inTurn = <T>(fn: LocalFunction, run: () => Promise<T>): Promise<T> => {
    const result = (environments.get(fn.key) ?? Promise.resolve()).then(run);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    environments.set(fn.key, tail);
    void tail.then(() => {
      if (environments.get(fn.key) === tail) environments.delete(fn.key);
    });
    return result;
  };

  const invokeNow = async (fn: LocalFunction, event: unknown): Promise<unknown> => {
    const handler = await load(fn);
    const requestId = randomUUID();
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${fn.name}`,
      memoryLimitInMB: '512',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `local/${requestId}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    } satisfies Context;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FunctionTimeoutError(`${fn.key} timed out after ${fn.timeoutSeconds} seconds`)),
        fn.timeoutSeconds * 1000,
      );
    });
    try {
      const result = await Promise.race([handler(event, context), timeout]);
      options.onInvocation?.({ functionKey: fn.key, requestId, ok: true });
      return result;
    } catch (error) {
      const { name, message } = error as Error;
      options.onInvocation?.({ functionKey: fn.key, requestId, ok: false, error: { name, message } });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    has: (nameOrKey) => byName.has(nameOrKey),
    invoke(nameOrKey, event) {
      const fn = byName.get(nameOrKey);
      if (!fn) return Promise.reject(new Error(`no function ${nameOrKey} in serverless.yml`));
      return inTurn(fn, () => invokeNow(fn, event));
    },
  };
}
