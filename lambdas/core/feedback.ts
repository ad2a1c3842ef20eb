// On-call verdicts on findings and the live accuracy they add up to (issue 21). Pure: a verdict is
// data recorded beside a finding; nothing here feeds back into the ranking (analyze.ts never reads
// it), so the engine gives the same answer with or without verdicts.

import type { Finding } from './model.ts';

export type VerdictValue = 'right' | 'wrong' | 'partly';
export const VERDICTS: readonly VerdictValue[] = ['right', 'wrong', 'partly'];

/** How many ranked root causes a verdict is judged against: "partly" means the right one is in them. */
export const TOP_N = 3;
/** Longest note kept with a verdict, in characters. */
export const MAX_NOTE_CHARS = 500;
/** Longest service name X-Ray takes (a segment's `name`): the longest actual root cause accepted. */
export const MAX_SERVICE_NAME_CHARS = 200;
/** Changes kept in a finding's verdict history (oldest go first). */
export const MAX_HISTORY = 100;
/** Distinct people whose current verdicts are kept on one finding. */
export const MAX_PEOPLE = 50;
/** Cascade services a record keeps for "seen before". */
export const MAX_CASCADE_SERVICES = 40;

export interface Verdict {
  readonly verdict: VerdictValue;
  /** The root cause on-call found: required for `wrong`, optional for `partly` (one of ranks 2–3). */
  readonly actual?: string;
  readonly note?: string;
  /** Who gave it: the caller's IAM ARN, or the local user. */
  readonly by: string;
  /** ISO-8601. */
  readonly at: string;
}

export interface RankedCause {
  readonly service: string;
  readonly kind: string;
  readonly confidence: number;
}

/** A finding as verdicts are judged against it, with every verdict it got. */
export interface FeedbackRecord {
  readonly analysisId: string;
  /** The service the finding is filed under (the alarmed one). */
  readonly service: string;
  /** ISO-8601: the finding's time (its window's end). */
  readonly at: string;
  /** The first ranked root causes (at most TOP_N), as the finding named them. */
  readonly rootCauses: readonly RankedCause[];
  /** Services of its cascade (origins, propagators, affected), for "seen before". */
  readonly cascade: readonly string[];
  /** The current verdict of each person: one each, the latest wins. */
  readonly verdicts: readonly Verdict[];
  /** Every verdict ever given, oldest first (at most MAX_HISTORY). */
  readonly history: readonly Verdict[];
}

/** What a verdict is judged against, from the finding; undefined when it named no root cause. */
export function feedbackSubject(finding: Finding, at: string): FeedbackRecord | undefined {
  if (finding.status !== 'COMPLETED' || finding.rootCauses.length === 0) return undefined;
  return {
    analysisId: finding.analysisId,
    service: finding.trigger.service ?? finding.rootCauses[0]?.service ?? 'unknown',
    at,
    rootCauses: finding.rootCauses
      .slice(0, TOP_N)
      .map((rc) => ({ service: rc.service, kind: rc.kind, confidence: rc.confidence })),
    cascade: finding.services
      .filter((s) => s.role !== 'healthy')
      .map((s) => s.service)
      .slice(0, MAX_CASCADE_SERVICES),
    verdicts: [],
    history: [],
  };
}

/** Why a verdict does not fit the finding it is given on. */
export class VerdictError extends Error {
  constructor(
    readonly field: 'verdict' | 'actual',
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'VerdictError';
  }
}

/** Checks a verdict against the finding's ranking: what it says must be possible. */
export function checkVerdict(record: FeedbackRecord, v: Pick<Verdict, 'verdict' | 'actual'>): void {
  const top = record.rootCauses[0]?.service;
  const ranks = record.rootCauses.map((rc) => rc.service);
  if (v.verdict === 'wrong') {
    if (v.actual === undefined)
      throw new VerdictError('actual', 'required for a wrong verdict: name the real root cause');
    if (v.actual === top)
      throw new VerdictError('actual', `${top} is what the finding named first: give a right verdict`);
  } else if (v.verdict === 'right') {
    if (v.actual !== undefined && v.actual !== top) {
      throw new VerdictError(
        'actual',
        `a right verdict confirms ${top}: give a wrong or partly verdict for ${v.actual}`,
      );
    }
  } else if (v.actual !== undefined && !ranks.slice(1).includes(v.actual)) {
    throw new VerdictError(
      'actual',
      `a partly verdict names one of ranks 2–${TOP_N} (${ranks.slice(1).join(', ') || 'none'}): give a wrong verdict for ${v.actual}`,
    );
  }
}

/** The record with `v` as its giver's current verdict and one more history entry. */
export function recordVerdict(record: FeedbackRecord, v: Verdict): FeedbackRecord {
  checkVerdict(record, v);
  const others = record.verdicts.filter((x) => x.by !== v.by);
  if (others.length >= MAX_PEOPLE) others.splice(0, others.length - MAX_PEOPLE + 1);
  return {
    ...record,
    verdicts: [...others, v].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)),
    history: [...record.history, v].slice(-MAX_HISTORY),
  };
}

/** The verdict a finding counts with: the latest of anyone's current ones. */
export function currentVerdict(record: FeedbackRecord): Verdict | undefined {
  return record.verdicts.at(-1);
}

export interface ConfirmedCause {
  /** The root cause on-call confirmed: the finding's first for right, the named one otherwise. */
  readonly service: string;
  readonly verdict: VerdictValue;
  readonly by: string;
  readonly at: string;
  /** What the finding named first. */
  readonly analysisSaid: string;
}

/** The root cause as on-call confirmed it; undefined without a verdict that names one. */
export function confirmedCause(record: FeedbackRecord): ConfirmedCause | undefined {
  const v = currentVerdict(record);
  const top = record.rootCauses[0]?.service;
  if (v === undefined || top === undefined) return undefined;
  const service = v.verdict === 'right' ? top : v.actual;
  if (service === undefined) return undefined;
  return { service, verdict: v.verdict, by: v.by, at: v.at, analysisSaid: top };
}

/** Right at 1: the first root cause was it. */
function rightAt1(v: Verdict): boolean {
  return v.verdict === 'right';
}

/** Right at 3: it was among the first three (partly, or wrong naming one of ranks 2–3). */
function rightAt3(record: FeedbackRecord, v: Verdict): boolean {
  if (v.verdict !== 'wrong') return true;
  return v.actual !== undefined && record.rootCauses.some((rc) => rc.service === v.actual);
}

// --- live accuracy ---

export interface Tally {
  /** Findings with a verdict. */
  readonly verdicts: number;
  readonly right: number;
  readonly partly: number;
  readonly wrong: number;
  /** Share right at rank 1; null without verdicts. */
  readonly precisionAt1: number | null;
  /** Share with the root cause in the first three; null without verdicts. */
  readonly precisionAt3: number | null;
}

export interface WeekTally extends Tally {
  /** The Monday (UTC) the week starts, YYYY-MM-DD. */
  readonly week: string;
  /** Findings of the week that named a root cause, with a verdict or not. */
  readonly findings: number;
}

export interface CalibrationBin {
  /** `80–95 %`, as docs/benchmarks.md bins the benchmark answers. */
  readonly bin: string;
  readonly low: number;
  readonly high: number;
  readonly verdicts: number;
  readonly right: number;
  /** Share right at rank 1; null without verdicts. */
  readonly rightRate: number | null;
  /** Mean first-rank confidence of its findings; null without verdicts. */
  readonly meanConfidence: number | null;
}

export interface AccuracyReport {
  readonly from: string;
  readonly to: string;
  /** Findings in the range that named a root cause. */
  readonly findings: number;
  /** Share of them with a verdict; null without findings. */
  readonly verdictShare: number | null;
  readonly overall: Tally;
  readonly weeks: readonly WeekTally[];
  /** By the kind of the first root cause (faults, latency, throttling…). */
  readonly byKind: readonly (Tally & { readonly kind: string })[];
  /** By the watched (alarmed) service the finding is filed under. */
  readonly byService: readonly (Tally & { readonly service: string })[];
  readonly calibration: readonly CalibrationBin[];
  /** Plain sentences where the verdicts disagree with the confidence. */
  readonly warnings: readonly string[];
  /** Verdicts given by the demo's seeded history, not by a person. */
  readonly demoVerdicts: number;
}

/** The benchmark page's bins (docs/benchmarks.md, "Confidence calibration"). */
export const CALIBRATION_BINS: readonly { readonly low: number; readonly high: number }[] = [
  { low: 0, high: 0.5 },
  { low: 0.5, high: 0.8 },
  { low: 0.8, high: 0.95 },
  { low: 0.95, high: 1 },
];
/** A bin is judged from this many verdicts on… */
export const CALIBRATION_MIN_VERDICTS = 30;
/** …and disagrees when its right-rate is further than this from its mean confidence. */
export const CALIBRATION_TOLERANCE = 0.15;

/** Who the demo's seeded verdicts are by: counted apart so nobody mistakes them for on-call's. */
export const DEMO_VERDICT_BY = 'demo-seeded-history';

function tally(pairs: readonly (readonly [FeedbackRecord, Verdict])[]): Tally {
  const right = pairs.filter(([, v]) => rightAt1(v)).length;
  const at3 = pairs.filter(([r, v]) => rightAt3(r, v)).length;
  const n = pairs.length;
  return {
    verdicts: n,
    right,
    partly: pairs.filter(([, v]) => v.verdict === 'partly').length,
    wrong: pairs.filter(([, v]) => v.verdict === 'wrong').length,
    precisionAt1: n === 0 ? null : right / n,
    precisionAt3: n === 0 ? null : at3 / n,
  };
}

/** The Monday (UTC) of the week holding `iso`, as YYYY-MM-DD. */
export function weekOf(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
  return monday.toISOString().slice(0, 10);
}

function groupBy<K extends string>(
  pairs: readonly (readonly [FeedbackRecord, Verdict])[],
  key: (r: FeedbackRecord) => string,
): [string, (readonly [FeedbackRecord, Verdict])[]][] {
  const groups = new Map<string, (readonly [FeedbackRecord, Verdict])[]>();
  for (const p of pairs) {
    const k = key(p[0]) as K;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function pctText(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/**
 * Live accuracy of the findings in [from, to] (each counted with its current verdict): precision at
 * 1 and 3 per week, by kind and by service, the share with a verdict and the calibration table.
 */
export function accuracyOf(records: readonly FeedbackRecord[], from: string, to: string): AccuracyReport {
  const inRange = records.filter((r) => r.at >= from && r.at <= to && r.rootCauses.length > 0);
  const pairs = inRange.flatMap((r) => {
    const v = currentVerdict(r);
    return v === undefined ? [] : [[r, v] as const];
  });
  const weeks = new Map<string, FeedbackRecord[]>();
  for (const r of inRange) weeks.set(weekOf(r.at), [...(weeks.get(weekOf(r.at)) ?? []), r]);
  const calibration = CALIBRATION_BINS.map(({ low, high }) => {
    const bin = pairs.filter(([r]) => {
      const c = r.rootCauses[0]?.confidence ?? 0;
      return c >= low && (c < high || (high === 1 && c <= 1));
    });
    const right = bin.filter(([, v]) => rightAt1(v)).length;
    const mean = bin.reduce((s, [r]) => s + (r.rootCauses[0]?.confidence ?? 0), 0);
    return {
      bin: `${Math.round(low * 100)}–${Math.round(high * 100)} %`,
      low,
      high,
      verdicts: bin.length,
      right,
      rightRate: bin.length === 0 ? null : right / bin.length,
      meanConfidence: bin.length === 0 ? null : mean / bin.length,
    };
  });
  const warnings = calibration.flatMap((b) => {
    if (b.verdicts < CALIBRATION_MIN_VERDICTS || b.rightRate === null || b.meanConfidence === null) return [];
    const gap = b.rightRate - b.meanConfidence;
    if (Math.abs(gap) <= CALIBRATION_TOLERANCE) return [];
    return [
      `Findings at ${b.bin} confidence (mean ${pctText(b.meanConfidence)}) were right ${pctText(b.rightRate)} of the time over ${b.verdicts} verdicts: the confidence ${gap < 0 ? 'overstates' : 'understates'} how often the first root cause is right here. The ranking does not change because of verdicts.`,
    ];
  });
  return {
    from,
    to,
    findings: inRange.length,
    verdictShare: inRange.length === 0 ? null : pairs.length / inRange.length,
    overall: tally(pairs),
    weeks: [...weeks.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([week, rs]) => ({
        week,
        findings: rs.length,
        ...tally(
          rs.flatMap((r) => {
            const v = currentVerdict(r);
            return v === undefined ? [] : [[r, v] as const];
          }),
        ),
      })),
    byKind: groupBy(pairs, (r) => r.rootCauses[0]?.kind ?? 'unknown').map(([kind, ps]) => ({
      kind,
      ...tally(ps),
    })),
    byService: groupBy(pairs, (r) => r.service).map(([service, ps]) => ({ service, ...tally(ps) })),
    calibration,
    warnings,
    demoVerdicts: pairs.filter(([, v]) => v.by === DEMO_VERDICT_BY).length,
  };
}
