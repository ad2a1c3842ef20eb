// The feedback routes of the API (issue 21) through `route`, as API Gateway calls it: a verdict is
// validated like every other input (unknown finding 404, an actual root cause longer than X-Ray
// allows or with control characters 400, scoped callers only on their services), recorded with who
// and when, one per person with its history, counted in GET /accuracy, and told to the metrics.

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { VerdictValue } from '../../lambdas/core/feedback.ts';
import { type ApiDeps, route } from '../../lambdas/handlers/api.ts';
import {
  apiEvent,
  FakeWorkflowStarter,
  MemoryFeedbackStore,
  MemoryFindingsRepository,
  sampleFinding,
} from './fakes.ts';

const NOW = new Date('2026-11-20T04:00:00Z');
const ALICE = 'arn:aws:sts::111122223333:assumed-role/team-payments-oncall/alice';
const BOB = 'arn:aws:sts::111122223333:assumed-role/team-search-oncall/bob';

function deps(access: ApiDeps['access'] = []) {
  const repository = new MemoryFindingsRepository();
  const feedback = new MemoryFeedbackStore();
  const told: [VerdictValue, boolean][] = [];
  // Stored as Store stores them: each with its verdict record opened.
  for (const f of [
    sampleFinding('alarm-checkout-1', 'checkout'),
    sampleFinding('alarm-search-1', 'search'),
  ]) {
    void repository.put(f);
    void feedback.open(f);
  }
  const d: ApiDeps = {
    repository,
    feedback,
    access,
    starter: new FakeWorkflowStarter(),
    newId: () => 'api-7d1c0d6e-0000-4000-8000-000000000001',
    now: () => NOW,
    onVerdict: (v, top3) => told.push([v, top3]),
  };
  return { d, feedback, told };
}

function as(caller: string | undefined, event: APIGatewayProxyEvent): APIGatewayProxyEvent {
  return {
    ...event,
    requestContext: { ...event.requestContext, identity: { userArn: caller } },
  } as APIGatewayProxyEvent;
}

const give = (id: string, json: unknown, caller: string | undefined = ALICE) =>
  as(caller, apiEvent('POST', `/findings/${id}/feedback`, { body: JSON.stringify(json) }));
const body = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Record<string, unknown>;

describe('Handler: api feedback (issue 21)', () => {
  it('should record a verdict with who and when, one per person, every change in the history', async () => {
    // Prepare
    const { d, told } = deps();
    const top = sampleFinding('x', 'checkout').rootCauses[0]?.service;

    // Act
    const first = await route(give('alarm-checkout-1', { verdict: 'right' }), d);
    const changed = await route(
      give('alarm-checkout-1', { verdict: 'wrong', actual: 'payment-service', note: 'the deploy' }),
      d,
    );
    const shown = await route(as(BOB, apiEvent('GET', '/findings/alarm-checkout-1/feedback')), d);

    // Assess
    expect(first.statusCode).toBe(200);
    expect(changed.statusCode).toBe(200);
    expect(body(shown)).toMatchObject({
      analysisId: 'alarm-checkout-1',
      rootCauses: [expect.objectContaining({ service: top })],
      verdicts: [
        { verdict: 'wrong', actual: 'payment-service', note: 'the deploy', by: ALICE, at: NOW.toISOString() },
      ],
      history: [
        { verdict: 'right', by: ALICE, at: NOW.toISOString() },
        { verdict: 'wrong', actual: 'payment-service', by: ALICE },
      ],
    });
    expect(told).toEqual([
      ['right', true],
      ['wrong', false],
    ]);
  });

  it('should answer 404 for an unknown finding and 400 for an id that is not one', async () => {
    const { d, feedback } = deps();
    const unknown = await route(give('alarm-nope-1', { verdict: 'right' }), d);
    const bad = await route(give('not%20an%20id', { verdict: 'right' }), d);
    expect(unknown.statusCode).toBe(404);
    expect(body(unknown).message).toBe('no analysis alarm-nope-1');
    expect(bad.statusCode).toBe(400);
    expect([...feedback.records.values()].every((r) => r.history.length === 0)).toBe(true);
  });

  it.each([
    [
      'an actual root cause longer than X-Ray allows',
      { verdict: 'wrong', actual: 'a'.repeat(201) },
      'actual: must have at most 200 characters (the longest X-Ray service name)',
    ],
    [
      'control characters in the actual root cause',
      { verdict: 'wrong', actual: 'pay\u0007ment' },
      'actual: must not contain control characters',
    ],
    [
      'control characters in the note',
      { verdict: 'right', note: 'line\nbreak' },
      'note: must not contain control characters',
    ],
    [
      'a note over 500 characters',
      { verdict: 'right', note: 'n'.repeat(501) },
      'note: must have at most 500 characters',
    ],
    ['an unknown verdict', { verdict: 'maybe' }, 'verdict: must be right, wrong or partly'],
    [
      'a wrong verdict without the actual root cause',
      { verdict: 'wrong' },
      'actual: required for a wrong verdict: name the real root cause',
    ],
    [
      'an unknown field',
      { verdict: 'right', confidence: 1 },
      expect.stringMatching(/confidence|Unrecognized/),
    ],
  ])('should answer 400 for %s, naming the field', async (_name, json, message) => {
    const { d, feedback } = deps();
    const res = await route(give('alarm-checkout-1', json), d);
    expect(res.statusCode).toBe(400);
    expect(body(res).message).toEqual(message);
    expect([...feedback.records.values()].every((r) => r.history.length === 0)).toBe(true);
  });

  it('should let a scoped caller judge and count only its services', async () => {
    // Prepare: alice sees checkout, bob sees search.
    const { d, feedback } = deps([
      { principal: 'arn:aws:sts::111122223333:assumed-role/team-payments-*', services: ['checkout'] },
      { principal: 'arn:aws:sts::111122223333:assumed-role/team-search-*', services: ['search'] },
    ]);

    // Act
    const own = await route(give('alarm-checkout-1', { verdict: 'right' }, ALICE), d);
    const other = await route(give('alarm-search-1', { verdict: 'right' }, ALICE), d);
    const otherRead = await route(as(ALICE, apiEvent('GET', '/findings/alarm-search-1/feedback')), d);
    const stranger = await route(
      give('alarm-checkout-1', { verdict: 'right' }, 'arn:aws:iam::111122223333:user/eve'),
      d,
    );
    await route(give('alarm-search-1', { verdict: 'wrong', actual: 'index' }, BOB), d);
    const alicesAccuracy = await route(
      as(ALICE, apiEvent('GET', '/accuracy', { query: { from: '2026-11-01T00:00:00Z' } })),
      d,
    );
    const forbidden = await route(
      as(ALICE, apiEvent('GET', '/accuracy', { query: { service: 'search' } })),
      d,
    );

    // Assess: another team's finding reads as absent, and is not judged.
    expect(own.statusCode).toBe(200);
    expect(other.statusCode).toBe(404);
    expect(otherRead.statusCode).toBe(404);
    expect(stranger.statusCode).toBe(403);
    expect(feedback.records.get('alarm-search-1')?.verdicts.map((v) => v.by)).toEqual([BOB]);
    expect(body(alicesAccuracy)).toMatchObject({
      findings: 1,
      overall: { verdicts: 1, right: 1 },
      byService: [{ service: 'checkout' }],
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('should report the live accuracy and refuse a bad range', async () => {
    const { d } = deps();
    await route(give('alarm-checkout-1', { verdict: 'wrong', actual: 'payment-service' }), d);
    const res = await route(
      apiEvent('GET', '/accuracy', { query: { from: '2026-11-01T00:00:00Z', to: '2026-11-30T00:00:00Z' } }),
      d,
    );
    const backwards = await route(
      apiEvent('GET', '/accuracy', { query: { from: '2026-11-30T00:00:00Z', to: '2026-11-01T00:00:00Z' } }),
      d,
    );
    const tooLong = await route(
      apiEvent('GET', '/accuracy', { query: { from: '2024-01-01T00:00:00Z', to: '2026-11-30T00:00:00Z' } }),
      d,
    );
    const notATime = await route(apiEvent('GET', '/accuracy', { query: { from: 'yesterday' } }), d);

    expect(res.statusCode).toBe(200);
    expect(body(res)).toMatchObject({
      findings: 2,
      verdictShare: 0.5,
      overall: { verdicts: 1, wrong: 1, precisionAt1: 0, precisionAt3: 0 },
      weeks: [{ week: '2026-11-16', findings: 2, verdicts: 1 }],
      truncated: false,
    });
    expect(backwards.statusCode).toBe(400);
    expect(body(backwards).message).toBe('from: must not be later than to');
    expect(tooLong.statusCode).toBe(400);
    expect(notATime.statusCode).toBe(400);
    expect(String(body(notATime).message)).toMatch(/^from: must be an ISO-8601 timestamp/);
  });

  it('should answer 405 for a method the route does not take', async () => {
    const { d } = deps();
    const res = await route(apiEvent('DELETE', '/findings/alarm-checkout-1/feedback'), d);
    expect(res.statusCode).toBe(405);
    expect(res.headers?.Allow).toBe('GET, POST');
  });
});
