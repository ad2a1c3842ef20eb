// Typed errors the engine raises, so that callers can tell bad input from a bug.

/** The input is not a service graph the engine can read; `field` says where it went wrong. */
export class GraphInputError extends Error {
  override readonly name = 'GraphInputError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
  }
}

/** The request names a service that is not in the graph. */
export class UnknownServiceError extends Error {
  override readonly name = 'UnknownServiceError';
  constructor(
    readonly service: string,
    readonly suggestions: readonly string[],
  ) {
    super(
      `service "${service}" is not in the graph` +
        (suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : ''),
    );
  }
}
