// One rounding for every percentage the engine writes into a sentence and every report shows, so
// that a fact reads the same number everywhere (issue 19 §3). The reports re-export it
// (lambdas/report/numbers.ts).

/**
 * 0.1525 → `15.3 %`, rounding half up on the decimal value. The finding stores rates rounded to
 * four decimals, and `(100 * 0.0015).toFixed(1)` gives `0.1` because 0.0015 is a little less in
 * binary: the scaled value is read back at 12 significant digits first, so the stored 0.0015
 * shows as `0.2 %` wherever it is written.
 */
export function percent(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return `${x} %`;
  const scale = 10 ** digits;
  const scaled = Number((100 * x * scale).toPrecision(12));
  const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
  return `${(rounded / scale).toFixed(digits)} %`;
}

/**
 * A rate as the finding stores it (four decimals) and every report shows it: the engine's
 * sentences are written from the unrounded rate, and `percent` of both must agree.
 */
export function rateText(x: number): string {
  return percent(Math.round(x * 1e4) / 1e4);
}
