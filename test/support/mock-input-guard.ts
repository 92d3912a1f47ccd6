/**
 * Makes aws-sdk-client-mock refuse vitest's asymmetric matchers (`expect.stringMatching(…)`,
 * `expect.objectContaining(…)`, …) in the inputs it matches commands against: `.on(Command,
 * input)`, `.onAnyCommand(input)` and `.commandCalls(Command, input)`.
 *
 * Those inputs are compared by sinon, which does not know vitest's matchers: a stub with one
 * never applies, and a filter with one never matches, silently. A test then passes or fails for
 * another reason than the one it names (issue 12: a throttle stub that never threw). Match with
 * `callsFake` and a plain condition instead, or assert with the vitest matchers of
 * aws-sdk-client-mock-vitest (`toHaveReceivedCommandWith`), which understand them.
 */
import { AwsStub } from 'aws-sdk-client-mock';

/** The JSON path of the first asymmetric matcher in `value`, if there is one. */
export function asymmetricMatcherPath(value: unknown, path = 'input'): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function') return path;
  for (const [key, child] of Object.entries(value)) {
    const found = asymmetricMatcherPath(child, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

type Method = 'on' | 'onAnyCommand' | 'commandCalls';
/** Which argument of each method is the input sinon matches. */
const INPUT_ARGUMENT: Record<Method, number> = { on: 1, onAnyCommand: 0, commandCalls: 1 };

/** Installs the check on every client mock (CommandBehavior delegates to these methods). */
export function forbidAsymmetricMatchersInMockInputs(): void {
  const stub = AwsStub.prototype as unknown as Record<Method, (...args: unknown[]) => unknown>;
  for (const [method, index] of Object.entries(INPUT_ARGUMENT) as [Method, number][]) {
    const original = stub[method];
    stub[method] = function (this: unknown, ...args: unknown[]) {
      const path = asymmetricMatcherPath(args[index]);
      if (path) {
        throw new TypeError(
          `aws-sdk-client-mock: ${method}() got a vitest asymmetric matcher at ${path}. sinon compares ` +
            'inputs and does not understand it, so it never matches (test/support/mock-input-guard.ts).',
        );
      }
      return original.apply(this, args);
    };
  }
}
