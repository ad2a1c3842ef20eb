// aws-local-stepfunctions calls `Promise.withResolvers` (Node 22+) on every Task state; Node 20,
// which this project supports, does not have it. Installed once, before the first execution.

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type WithResolvers = <T>() => Resolvers<T>;

export function installPolyfills(): void {
  const ctor = Promise as unknown as { withResolvers?: WithResolvers };
  if (typeof ctor.withResolvers === 'function') return;
  const withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  Object.defineProperty(Promise, 'withResolvers', {
    value: withResolvers,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
