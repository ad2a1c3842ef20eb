// The Analyze function's memory, from a measurement rather than a guess. `npm run bench` measures
// the peak RSS of `cascade-analyzer analyze` on the 10,000-service estate — the same read, parse and
// engine as the Lambda, which also holds the snapshot text, its JSON and the finding — and prints
// the memory that figure asks for; when it grows past the budget, raise the figure here.

/**
 * Peak RSS of `analyze` on the 10,000-service estate (67 MiB of JSON): npm run bench and
 * `/usr/bin/time -f %M` on the compiled CLI, 2026-12-07 (evening). The highest of several runs: V8's
 * collector makes the peak bimodal (about 412–422 or 503–527 MiB from one run to the next, on the
 * same code), and the memory must hold the higher one.
 */
export const MEASURED_PEAK_RSS_MIB = 527;

/** Headroom over the measured peak: graphs grow, and Lambda's runtime takes its share. */
const HEADROOM = 1.5;

/** Lambda memory (MB) for a measured peak RSS: the peak with headroom, rounded up to 64 MB. */
export function analyzeMemoryMb(peakRssMiB: number): number {
  if (!Number.isFinite(peakRssMiB) || peakRssMiB <= 0) {
    throw new Error(`peak RSS must be a positive number of MiB, got ${peakRssMiB}`);
  }
  return Math.min(10_240, Math.max(128, Math.ceil((peakRssMiB * HEADROOM) / 64) * 64));
}

/** What the stack gives the Analyze function. */
export const ANALYZE_MEMORY_MB = analyzeMemoryMb(MEASURED_PEAK_RSS_MIB);
