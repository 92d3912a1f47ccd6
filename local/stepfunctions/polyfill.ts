/**
 * aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22) in every Task. On Node 20
 * that throws a TypeError inside the state, which a `Catch: States.ALL` would silently turn
 * into a normal transition; so the runner installs this before running anything.
 */
declare global {
  interface PromiseConstructor {
    withResolvers<T>(): {
      promise: Promise<T>;
      resolve: (value: T) => void;
      reject: (reason?: unknown) => void;
    };
  }
}

if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};
