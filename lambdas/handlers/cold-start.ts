// Lazily built dependencies of a handler, built once per execution environment. Unit tests import
// handler modules without building anything; inside Lambda the handler builds them during init.

/** A memoised async factory: the first call builds, every later call gets the same promise. */
export function coldStart<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

/** True inside a Lambda execution environment (the runtime always sets this variable). */
export function inLambda(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env.AWS_LAMBDA_FUNCTION_NAME !== undefined && env.AWS_LAMBDA_FUNCTION_NAME !== '';
}
