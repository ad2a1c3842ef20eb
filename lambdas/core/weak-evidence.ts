// The words a line uses when the rise it gives is no anomaly, and how to tell such a line. Shared
// by the ranking, which writes them, and the change rules, which must not promote such a line.

import type { Evidence } from './model.ts';

/** A rise not significant for its sample: a few failures more, a mean that moved within its spread. */
export const CHANCE = 'chance alone could explain this rise';
/** A significant rise under `rateRise` or `latencyRiseRatio`. */
export const SMALL = 'a rise too small to count as an anomaly';

/** Evidence that gives a rise's numbers while saying it is no anomaly (chance, or too small to count). */
export function isWeakEvidence(e: Evidence): boolean {
  return e.text.endsWith(`: ${CHANCE}`) || e.text.endsWith(`: ${SMALL}`);
}
