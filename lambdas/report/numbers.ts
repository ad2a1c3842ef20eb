// One computation and one rounding for every rate a report shows, so that the evidence, the
// tables, the picture, the e-mail and the chat message give a fact the same number (issue 19).

import type { Finding, ServiceHealth } from '../core/model.ts';
import { percent } from '../core/percent.ts';

/** 0.1525 → `15.3 %`: the engine's one rounding (lambdas/core/percent.ts), for every report. */
export { percent };

/** The rates of a service that `failureRate` reads. */
interface Rates {
  readonly faultRate: number;
  readonly throttleRate: number;
}

/**
 * The share of requests that failed, as the engine's evidence counts it ("failure rate"): 5xx
 * faults and 429 throttles. Rounded to the four decimals the finding stores.
 */
export function failureRate(r: Rates): number {
  return Math.round((r.faultRate + r.throttleRate) * 1e4) / 1e4;
}

/** A service's failure rate now and in the baseline. */
export interface FailureFigures {
  readonly now: number;
  readonly baseline: number | undefined;
}

/**
 * The failure rate of a service in a finding. A root cause's evidence states it in a sentence; the
 * tables and the picture take the very number that sentence was written from, so that the page
 * never shows a root cause with two failure rates.
 */
export function failureFigures(f: Finding, s: ServiceHealth): FailureFigures {
  for (const r of f.rootCauses) {
    if (r.service !== s.service || r.type !== s.type || r.via !== undefined) continue;
    const ev = r.evidence.find((e) => e.signal === 'faults' || e.signal === 'throttles');
    if (ev?.text.startsWith('failure rate')) return { now: ev.incident, baseline: ev.baseline };
  }
  return { now: failureRate(s), baseline: s.baseline ? failureRate(s.baseline) : undefined };
}

/** `15.3 % (0.2 %)`: the failure rate and, when there is one, the baseline's. */
export function failureText(fig: FailureFigures): string {
  return fig.baseline !== undefined ? `${percent(fig.now)} (${percent(fig.baseline)})` : percent(fig.now);
}
