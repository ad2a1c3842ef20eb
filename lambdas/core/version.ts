// The engine's version, stamped on every finding (a FAILED one too). Its own module so that the
// functions that only stamp it (RecordFailure) do not import the engine.

export const ENGINE_VERSION = '0.1.0';
