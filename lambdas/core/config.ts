// Thresholds of the analysis. Defaults come from practice; every one can be overridden.

export interface AnalysisConfig {
  /** A fault (5xx) rate above this is unhealthy. */
  readonly faultRate: number;
  /** An error (4xx, throttles excluded) rate above this is unhealthy. */
  readonly errorRate: number;
  /** A throttle (429) rate above this is unhealthy. */
  readonly throttleRate: number;
  /** CPU utilisation (%) above this is hot, when CloudWatch figures are given. */
  readonly cpuPercent: number;
  /** A p99 above this many seconds is slow. */
  readonly p99Seconds: number;
  /** Mean latency at least this many times the baseline is an anomaly even under `p99Seconds`. */
  readonly latencyRiseRatio: number;
  /**
   * Latency rises are measured against at least this many seconds: 1 ms more on a 1 ms service
   * doubles its latency, but nobody waits for it. Also the least extra wait per call that counts.
   */
  readonly latencyFloorSeconds: number;
  /** A significant (z ≥ 3) rise in fault, error or throttle rate of at least this (absolute) is an anomaly. */
  readonly rateRise: number;
  /** Services with fewer requests than this in the incident window are reported but never ranked first on their own. */
  readonly minRequests: number;
  /**
   * Ranking weight: a candidate's score is ln(1 + severity) × (impactFloor + share of the users'
   * degradation it accounts for). The floor lets a strong anomaly users do not feel yet still rank.
   */
  readonly impactFloor: number;
  /**
   * How many times its callee's own rise a caller can see through retries and timeouts alone;
   * beyond that, the extra is a fault on the link.
   */
  readonly magnification: number;
  /**
   * Confidence scale: a comparison of two windows backed by n effective requests
   * (n1·n0 / (n1 + n0)) is trusted 1 − e^(−n / supportRequests); about 63 % at this many.
   */
  readonly supportRequests: number;
  /** How many root causes to report. */
  readonly maxRootCauses: number;
}

export const DEFAULT_CONFIG: AnalysisConfig = {
  faultRate: 0.05,
  errorRate: 0.05,
  throttleRate: 0.05,
  p99Seconds: 1,
  cpuPercent: 80,
  latencyRiseRatio: 1.5,
  latencyFloorSeconds: 0.005,
  rateRise: 0.005,
  minRequests: 20,
  impactFloor: 0.1,
  magnification: 4,
  supportRequests: 8,
  maxRootCauses: 5,
};

export function resolveConfig(overrides: Partial<AnalysisConfig> = {}): AnalysisConfig {
  const cfg = { ...DEFAULT_CONFIG, ...overrides };
  for (const [k, v] of Object.entries(cfg)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`analysis config "${k}" must be a number ≥ 0, got ${String(v)}`);
    }
  }
  return cfg;
}
