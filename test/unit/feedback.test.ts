// Verdicts, live accuracy and "seen before" on plain data (issue 21): what a verdict may say, one
// per person with every change kept, precision at 1 and 3 per week, the calibration warning, and
// which past incident a new finding looks like, from a table of past incidents.

import { describe, expect, it } from 'vitest';
import {
  accuracyOf,
  CALIBRATION_MIN_VERDICTS,
  checkVerdict,
  confirmedCause,
  DEMO_VERDICT_BY,
  type FeedbackRecord,
  feedbackSubject,
  recordVerdict,
  type Verdict,
  VerdictError,
  weekOf,
} from '../../lambdas/core/feedback.ts';
import { type PastFinding, pickSeenBefore } from '../../lambdas/core/seen-before.ts';
import { makeFinding } from '../integration/findings-kit.ts';

function record(
  id: string,
  at: string,
  confidence = 0.9,
  ranked = ['payment-api', 'db', 'cache'],
): FeedbackRecord {
  return {
    analysisId: id,
    service: 'checkout',
    at,
    rootCauses: ranked.map((service, i) => ({ service, kind: i === 0 ? 'faults' : 'latency', confidence })),
    cascade: ['payment-api', 'checkout', 'web'],
    verdicts: [],
    history: [],
  };
}

const v = (verdict: Verdict['verdict'], by: string, at: string, actual?: string): Verdict => ({
  verdict,
  by,
  at,
  ...(actual !== undefined ? { actual } : {}),
});

describe('Feedback: verdicts', () => {
  it('should judge a verdict against the ranking, and refuse what cannot be', () => {
    const r = record('a1', '2026-11-20T03:15:00.000Z');
    expect(() => checkVerdict(r, { verdict: 'wrong' })).toThrow(VerdictError);
    expect(() => checkVerdict(r, { verdict: 'wrong', actual: 'payment-api' })).toThrow(
      /give a right verdict/,
    );
    expect(() => checkVerdict(r, { verdict: 'right', actual: 'db' })).toThrow(/confirms payment-api/);
    expect(() => checkVerdict(r, { verdict: 'partly', actual: 'payment-service' })).toThrow(/ranks 2–3/);
    expect(() => checkVerdict(r, { verdict: 'partly', actual: 'cache' })).not.toThrow();
    expect(() => checkVerdict(r, { verdict: 'wrong', actual: 'payment-service' })).not.toThrow();
  });

  it('should keep one verdict per person, the latest winning, and every change in the history', () => {
    let r = record('a1', '2026-11-20T03:15:00.000Z');
    r = recordVerdict(r, v('right', 'alice', '2026-11-20T04:00:00.000Z'));
    r = recordVerdict(r, v('partly', 'bob', '2026-11-20T04:05:00.000Z', 'db'));
    r = recordVerdict(r, v('wrong', 'alice', '2026-11-20T04:10:00.000Z', 'payment-service'));

    expect(r.verdicts.map((x) => `${x.by}:${x.verdict}`)).toEqual(['bob:partly', 'alice:wrong']);
    expect(r.history.map((x) => `${x.by}:${x.verdict}`)).toEqual([
      'alice:right',
      'bob:partly',
      'alice:wrong',
    ]);
    expect(confirmedCause(r)).toMatchObject({
      service: 'payment-service',
      verdict: 'wrong',
      by: 'alice',
      analysisSaid: 'payment-api',
    });
  });

  it('should open a record only for a finding that named a root cause', () => {
    const f = makeFinding({ analysisId: 'a1' });
    expect(feedbackSubject(f, f.window?.end ?? '')).toMatchObject({
      analysisId: 'a1',
      service: 'checkout',
      rootCauses: [{ service: 'payment-api' }],
      cascade: ['checkout', 'payment-api', 'web'],
    });
    expect(feedbackSubject({ ...f, rootCauses: [] }, '')).toBeUndefined();
    expect(feedbackSubject({ ...f, status: 'FAILED' }, '')).toBeUndefined();
  });
});

describe('Feedback: live accuracy', () => {
  it('should count precision at 1 and 3 per week, by kind and service, and the share judged', () => {
    // Prepare: four findings over two weeks; three judged (right, partly, wrong naming rank 3).
    const rs = [
      recordVerdict(
        record('a1', '2026-11-16T10:00:00.000Z'),
        v('right', 'alice', '2026-11-16T11:00:00.000Z'),
      ),
      recordVerdict(
        record('a2', '2026-11-17T10:00:00.000Z'),
        v('partly', 'alice', '2026-11-17T11:00:00.000Z'),
      ),
      recordVerdict(
        record('a3', '2026-11-24T10:00:00.000Z'),
        v('wrong', 'bob', '2026-11-24T11:00:00.000Z', 'cache'),
      ),
      record('a4', '2026-11-25T10:00:00.000Z'),
      // Outside the range: not counted.
      recordVerdict(record('a5', '2026-10-01T10:00:00.000Z'), v('right', 'bob', '2026-10-01T11:00:00.000Z')),
    ];

    // Act
    const a = accuracyOf(rs, '2026-11-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z');

    // Assess
    expect(a.findings).toBe(4);
    expect(a.verdictShare).toBe(0.75);
    expect(a.overall).toMatchObject({ verdicts: 3, right: 1, partly: 1, wrong: 1 });
    expect(a.overall.precisionAt1).toBeCloseTo(1 / 3);
    expect(a.overall.precisionAt3).toBe(1);
    expect(a.weeks.map((w) => [w.week, w.findings, w.verdicts, w.precisionAt1])).toEqual([
      ['2026-11-16', 2, 2, 0.5],
      ['2026-11-23', 2, 1, 0],
    ]);
    expect(a.byKind).toEqual([expect.objectContaining({ kind: 'faults', verdicts: 3 })]);
    expect(a.byService).toEqual([expect.objectContaining({ service: 'checkout', verdicts: 3 })]);
    expect(a.warnings).toEqual([]);
    expect(weekOf('2026-11-22T23:59:59.000Z')).toBe('2026-11-16');
  });

  it(`should say plainly when a bin of at least ${CALIBRATION_MIN_VERDICTS} verdicts disagrees with its confidence`, () => {
    // Prepare: findings at 90 % confidence right 60 % of the time.
    const judged = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        recordVerdict(
          record(`b${i}`, '2026-11-20T03:00:00.000Z', 0.9),
          i % 5 < 3
            ? v('right', 'alice', '2026-11-20T04:00:00.000Z')
            : v('wrong', 'alice', '2026-11-20T04:00:00.000Z', 'payment-service'),
        ),
      );
    const range = ['2026-11-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z'] as const;

    // Act: one verdict short of the minimum, then at it.
    const few = accuracyOf(judged(CALIBRATION_MIN_VERDICTS - 5), ...range);
    const enough = accuracyOf(judged(CALIBRATION_MIN_VERDICTS), ...range);

    // Assess
    expect(few.warnings).toEqual([]);
    const bin = enough.calibration.find((b) => b.bin === '80–95 %');
    expect(bin).toMatchObject({ verdicts: 30, right: 18, rightRate: 0.6 });
    expect(enough.warnings).toEqual([
      expect.stringMatching(
        /^Findings at 80–95 % confidence \(mean 90 %\) were right 60 % of the time over 30 verdicts: the confidence overstates/,
      ),
    ]);
  });

  it("should count the demo's seeded verdicts apart", () => {
    const r = recordVerdict(
      record('a1', '2026-11-20T03:00:00.000Z'),
      v('right', DEMO_VERDICT_BY, '2026-11-20T04:00:00.000Z'),
    );
    expect(accuracyOf([r], '2026-11-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z').demoVerdicts).toBe(1);
  });
});

describe('Seen before: a table of past incidents', () => {
  const current = {
    analysisId: 'now',
    at: '2026-11-20T03:15:00.000Z',
    service: 'checkout',
    rootCause: 'payment-api',
    cascade: ['payment-api', 'checkout', 'web'],
  };
  const past = (over: Partial<PastFinding> & { analysisId: string; at: string }): PastFinding => ({
    service: 'checkout',
    rootCause: 'payment-api',
    cascade: ['payment-api', 'checkout'],
    incident: {
      incidentId: `inc-${over.analysisId}`,
      status: 'RESOLVED',
      openedAt: over.at,
      resolvedAt: new Date(Date.parse(over.at) + 42 * 60_000).toISOString(),
    },
    ...over,
  });

  it.each([
    {
      name: 'the most recent ended incident with the same root cause',
      table: [
        past({ analysisId: 'p1', at: '2026-11-01T03:00:00.000Z' }),
        past({ analysisId: 'p2', at: '2026-11-10T03:00:00.000Z' }),
      ],
      expected: { analysisId: 'p2', incidentId: 'inc-p2', match: 'root-cause', resolvedMinutes: 42 },
    },
    {
      name: 'the same alarmed service with an overlapping cascade',
      table: [
        past({
          analysisId: 'p1',
          at: '2026-11-01T03:00:00.000Z',
          rootCause: 'db',
          cascade: ['db', 'checkout'],
        }),
      ],
      expected: { analysisId: 'p1', rootCause: 'db', match: 'alarmed-service' },
    },
    {
      name: 'nothing for another alarmed service with another root cause',
      table: [
        past({
          analysisId: 'p1',
          at: '2026-11-01T03:00:00.000Z',
          service: 'search',
          rootCause: 'index',
          cascade: ['index', 'search'],
        }),
      ],
      expected: undefined,
    },
    {
      name: 'nothing for an incident still open (the alarm may be joining it)',
      table: [
        past({
          analysisId: 'p1',
          at: '2026-11-20T03:05:00.000Z',
          incident: { incidentId: 'inc-p1', status: 'OPEN', openedAt: '2026-11-20T03:05:00.000Z' },
        }),
      ],
      expected: undefined,
    },
    {
      name: 'the root cause on-call confirmed, and what the analysis had said',
      table: [
        past({
          analysisId: 'p1',
          at: '2026-11-01T03:00:00.000Z',
          confirmed: { service: 'payment-service', verdict: 'wrong', by: 'alice' },
        }),
      ],
      expected: {
        rootCause: 'payment-service',
        verdict: 'wrong',
        confirmedBy: 'alice',
        analysisSaid: 'payment-api',
      },
    },
    {
      name: 'nothing newer than the finding itself',
      table: [past({ analysisId: 'p1', at: '2026-11-21T03:00:00.000Z' })],
      expected: undefined,
    },
  ])('should name $name', ({ table, expected }) => {
    const seen = pickSeenBefore(current, table);
    if (expected === undefined) expect(seen).toBeUndefined();
    else expect(seen).toMatchObject(expected);
  });
});
