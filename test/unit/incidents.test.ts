// The incident lifecycle on plain data: correlation, the one message each alarm warrants, the
// rate limit, resolution and the outbox — no store, no clock but the one each test passes.

import { describe, expect, it } from 'vitest';
import { cascadeSet, correlate, neighborhood } from '../../lambdas/core/incidents/correlate.ts';
import {
  type AnalysedAlarm,
  alarmOk,
  attachAnalysis,
  bounded,
  claimNext,
  currentOf,
  expireIdle,
  markSent,
  pendingNotifications,
  sweepableIncidents,
} from '../../lambdas/core/incidents/lifecycle.ts';
import {
  CLAIM_LEASE_MS,
  DEFAULT_INCIDENT_CONFIG,
  EMPTY_OPEN_INCIDENTS,
  type Incident,
  MAX_INCIDENT_BYTES,
  type OpenIncidents,
} from '../../lambdas/core/incidents/model.ts';
import { makeFinding } from '../integration/findings-kit.ts';

const T0 = Date.parse('2026-11-20T03:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
const cfg = DEFAULT_INCIDENT_CONFIG;

/** One cascade: payment-api → checkout → web. Another: search → catalog. */
const SHOP = ['checkout', 'payment-api', 'web'];
const CATALOG = ['catalog', 'search'];

function alarm(service: string, minute: number, over: Partial<AnalysedAlarm> = {}): AnalysedAlarm {
  const shop = SHOP.includes(service);
  return {
    analysisId: `alarm-${service}-${minute}-${over.alarmName ?? 'f'}`,
    alarmKey: over.alarmName ?? `${service}-fault-rate`,
    alarmName: `${service}-fault-rate`,
    service,
    firedAt: at(minute).toISOString(),
    status: 'COMPLETED',
    rootCause: shop ? 'payment-api' : 'search',
    reach: shop ? SHOP : CATALOG,
    near: [service],
    ...over,
  };
}

function apply(alarms: readonly AnalysedAlarm[], now = at(5)): OpenIncidents {
  let doc = EMPTY_OPEN_INCIDENTS;
  for (const a of alarms) doc = attachAnalysis(doc, a, now, cfg).doc;
  return doc;
}

describe('Function: cascadeSet', () => {
  it('should hold the origin, affected, at-risk, entry points, paths and the alarmed service', () => {
    // Act
    const set = cascadeSet(makeFinding({ analysisId: 'a1', service: 'checkout' }));

    // Assess
    expect(set).toEqual(expect.arrayContaining(['payment-api', 'checkout', 'web']));
    expect(set).not.toContain('db');
  });

  it('should leave out a root cause of another cascade in the same graph', () => {
    // Prepare: a second, unrelated origin whose blast radius does not hold the alarmed service.
    const base = makeFinding({ analysisId: 'a2', service: 'checkout' });
    const other = base.rootCauses[0] as (typeof base.rootCauses)[0];
    const finding = {
      ...base,
      rootCauses: [
        ...base.rootCauses,
        {
          ...other,
          rank: 2,
          service: 'search-index',
          blastRadius: {
            ...other.blastRadius,
            affected: ['search'],
            atRisk: ['search'],
            entryPoints: ['search'],
          },
        },
      ],
    };

    // Act & Assess
    expect(cascadeSet(finding)).not.toContain('search-index');
    expect(cascadeSet(finding)).not.toContain('search');
  });
});

describe('Function: neighborhood', () => {
  it('should reach callers and callees up to the given number of hops, and no further', () => {
    // Prepare
    const edges = [
      ['web', 'checkout'],
      ['checkout', 'payment-api'],
      ['payment-api', 'bank'],
    ] as const;

    // Act & Assess
    expect(neighborhood(edges, ['checkout'], 1)).toEqual(['checkout', 'payment-api', 'web']);
    expect(neighborhood(edges, ['checkout'], 2)).toEqual(['bank', 'checkout', 'payment-api', 'web']);
    expect(neighborhood(edges, ['checkout'], 0)).toEqual(['checkout']);
  });
});

describe('Function: correlate', () => {
  it('should join an alarm on a service of the incident cascade within the window', () => {
    // Prepare
    const doc = apply([alarm('web', 0)]);

    // Act
    const joined = correlate(doc.incidents, alarm('payment-api', 10), cfg);

    // Assess
    expect(joined?.incidentId).toBe(doc.incidents[0]?.incidentId);
  });

  it('should not join when the alarm fires after the window of the last activity', () => {
    // Prepare
    const doc = apply([alarm('web', 0)]);

    // Act & Assess
    expect(correlate(doc.incidents, alarm('payment-api', 16), cfg)).toBeUndefined();
    expect(correlate(doc.incidents, alarm('payment-api', 16), { ...cfg, windowMinutes: 20 })).toBeDefined();
  });

  it('should join a service near an alarmed one even when no analysis put it in the cascade', () => {
    // Prepare
    const doc = apply([alarm('web', 0)]);
    const cdn = alarm('cdn', 1, { reach: ['cdn'], near: ['cdn', 'web'], rootCause: null });

    // Act & Assess
    expect(correlate(doc.incidents, cdn, cfg)).toBeDefined();
    expect(correlate(doc.incidents, { ...cdn, near: ['cdn'] }, cfg)).toBeUndefined();
  });
});

describe('Function: attachAnalysis', () => {
  it('should give one incident and one root-cause message for a storm of alarms on one cascade, in any order', () => {
    // Prepare
    const storm = [
      alarm('web', 2),
      alarm('checkout', 0),
      alarm('payment-api', 1),
      alarm('web', 3, { alarmName: 'web-p99' }),
      alarm('checkout', 4, { alarmName: 'checkout-p99' }),
    ];

    // Act
    const doc = apply(storm);

    // Assess
    expect(doc.incidents).toHaveLength(1);
    const incident = doc.incidents[0];
    expect(incident?.alarms).toHaveLength(5);
    expect(incident?.notifications.map((n) => n.kind)).toEqual(['opened']);
    expect(incident?.openedAt).toBe(at(2).toISOString());
    expect(incident?.lastActivityAt).toBe(at(4).toISOString());
  });

  it('should keep two unrelated cascades as two incidents', () => {
    // Act
    const doc = apply([alarm('web', 0), alarm('search', 0), alarm('checkout', 1), alarm('catalog', 1)]);

    // Assess
    expect(doc.incidents).toHaveLength(2);
    expect(doc.incidents.map((i) => i.alarms.map((a) => a.service).sort())).toEqual([
      ['checkout', 'web'],
      ['catalog', 'search'],
    ]);
  });

  it('should change nothing and decide nothing when the same analysis is attached twice', () => {
    // Prepare
    const first = attachAnalysis(EMPTY_OPEN_INCIDENTS, alarm('web', 0), at(1), cfg);

    // Act
    const again = attachAnalysis(first.doc, alarm('web', 0), at(2), cfg);

    // Assess
    expect(again.outcome).toBe('duplicate');
    expect(again.doc).toBe(first.doc);
    expect(again.notification?.id).toBe(first.notification?.id);
  });

  it('should notify a root-cause change, and only for the analysis that changed it', () => {
    // Prepare
    const doc = apply([alarm('web', 0)]);

    // Act
    const changed = attachAnalysis(doc, alarm('checkout', 1, { rootCause: 'checkout' }), at(2), cfg);
    const same = attachAnalysis(
      changed.doc,
      alarm('checkout', 2, { rootCause: 'checkout', alarmName: 'x' }),
      at(3),
      cfg,
    );

    // Assess
    expect(changed.notification?.kind).toBe('root-cause-changed');
    expect(same.notification).toBeUndefined();
  });

  it('should send at most one "incident grew" update per interval', () => {
    // Prepare: the incident was notified at minute 5; each alarm widens its cascade.
    const base = apply([alarm('web', 0)], at(5));
    const widen = (svc: string, minute: number) =>
      alarm(svc, minute, { reach: [...SHOP, svc], near: [svc, 'web'], rootCause: 'payment-api' });

    // Act
    const early = attachAnalysis(base, widen('cdn', 6), at(10), cfg);
    const late = attachAnalysis(early.doc, widen('dns', 7), at(40), cfg);
    const again = attachAnalysis(late.doc, widen('lb', 8), at(45), cfg);

    // Assess
    expect(early.notification).toBeUndefined();
    expect(late.notification?.kind).toBe('update');
    expect(again.notification).toBeUndefined();
  });

  it('should send nothing for an alarm the cascade already explains', () => {
    // Prepare
    const base = apply([alarm('web', 0)], at(0));

    // Act
    const explained = attachAnalysis(base, alarm('checkout', 1), at(60), cfg);

    // Assess
    expect(explained.outcome).toBe('joined');
    expect(explained.notification).toBeUndefined();
  });

  it('should let a COMPLETED analysis supersede a FAILED one, and never the reverse', () => {
    // Prepare
    const failed = alarm('web', 0, { status: 'FAILED', rootCause: null, error: 'ThrottlingException' });
    const opened = attachAnalysis(EMPTY_OPEN_INCIDENTS, failed, at(1), cfg);

    // Act
    const completed = attachAnalysis(opened.doc, alarm('checkout', 1), at(2), cfg);
    const failedLater = attachAnalysis(
      completed.doc,
      alarm('payment-api', 3, { status: 'FAILED', rootCause: null }),
      at(4),
      cfg,
    );

    // Assess
    expect(completed.notification?.kind).toBe('root-cause-changed');
    expect(completed.incident.rootCause).toBe('payment-api');
    expect(failedLater.incident.currentAnalysisId).toBe(completed.incident.currentAnalysisId);
    expect(failedLater.notification).toBeUndefined();
    expect(currentOf(failedLater.incident.analyses)?.status).toBe('COMPLETED');
  });
});

describe('Function: attachAnalysis — merging', () => {
  it('should merge incidents opened apart by failed analyses once a result shows they are one cascade', () => {
    // Prepare: two failed analyses know nothing of the graph, so they open two incidents.
    const failed = (service: string, minute: number) =>
      alarm(service, minute, { status: 'FAILED', rootCause: null, reach: [service], near: [service] });
    let doc = attachAnalysis(EMPTY_OPEN_INCIDENTS, failed('web', 0), at(1), cfg).doc;
    doc = attachAnalysis(doc, failed('payment-api', 1), at(1), cfg).doc;
    expect(doc.incidents).toHaveLength(2);
    const ids = doc.incidents.map((i) => i.incidentId);

    // Act
    const result = attachAnalysis(doc, alarm('checkout', 2), at(2), cfg);

    // Assess
    expect(result.doc.incidents).toHaveLength(1);
    expect(result.incident.alarms.map((a) => a.service).sort()).toEqual(['checkout', 'payment-api', 'web']);
    expect(result.incident.rootCause).toBe('payment-api');
    expect(result.absorbed.map((i) => [i.status, i.mergedInto, i.alarms.length])).toEqual([
      ['MERGED', result.incident.incidentId, 0],
    ]);
    expect(ids).toContain(result.absorbed[0]?.incidentId);
    expect(result.incident.notifications.map((n) => n.kind).sort()).toEqual([
      'opened',
      'opened',
      'root-cause-changed',
    ]);
    // The absorbed incident's message is still sent, found under its old id.
    const claimed = claimNext(result.doc, result.absorbed[0]?.incidentId ?? '', 'x', at(3), 60_000);
    expect(claimed.incident?.incidentId).toBe(result.incident.incidentId);
  });

  it('should resolve every incident holding an alarm when it goes back to OK', () => {
    // Prepare: the same alarm fired twice and landed in two incidents (failed analyses, no merge).
    const failed = (service: string, minute: number, name: string) =>
      alarm(service, minute, {
        status: 'FAILED',
        rootCause: null,
        reach: [service],
        near: [service],
        alarmName: name,
      });
    let doc = attachAnalysis(EMPTY_OPEN_INCIDENTS, failed('web', 0, 'k'), at(1), cfg).doc;
    doc = attachAnalysis(doc, failed('search', 1, 'k'), at(1), cfg).doc;

    // Act
    const ok = alarmOk(doc, { alarmKey: 'k', at: at(5).toISOString() }, at(5), cfg);

    // Assess
    expect(ok.incidents.map((i) => i.status)).toEqual(['RESOLVED', 'RESOLVED']);
    expect(ok.notifications).toHaveLength(2);
  });
});

describe('Function: alarmOk', () => {
  it('should resolve the incident with one closing message when its last alarm is back to OK', () => {
    // Prepare
    const doc = apply([alarm('web', 0), alarm('checkout', 1)]);

    // Act
    const one = alarmOk(doc, { alarmKey: 'web-fault-rate', at: at(20).toISOString() }, at(20), cfg);
    const both = alarmOk(one.doc, { alarmKey: 'checkout-fault-rate', at: at(30).toISOString() }, at(30), cfg);
    const replay = alarmOk(
      both.doc,
      { alarmKey: 'checkout-fault-rate', at: at(30).toISOString() },
      at(31),
      cfg,
    );

    // Assess
    expect(one.notifications).toEqual([]);
    expect(one.incidents[0]?.status).toBe('OPEN');
    expect(both.incidents[0]?.status).toBe('RESOLVED');
    expect(both.incidents[0]?.resolvedAt).toBe(at(30).toISOString());
    expect(both.notifications.map((n) => n.kind)).toEqual(['resolved']);
    expect(replay.doc).toBe(both.doc);
    expect(both.incidents[0]?.notifications.filter((n) => n.kind === 'resolved')).toHaveLength(1);
  });

  it('should apply an OK that arrives before its alarm was attached', () => {
    // Prepare
    const early = alarmOk(
      EMPTY_OPEN_INCIDENTS,
      { alarmKey: 'web-fault-rate', at: at(3).toISOString() },
      at(3),
      cfg,
    );

    // Act
    const attached = attachAnalysis(early.doc, alarm('web', 0), at(4), cfg);

    // Assess
    expect(attached.incident.alarms[0]?.state).toBe('OK');
    expect(attached.doc.earlyOks).toEqual([]);
  });
});

describe('Function: markSent', () => {
  it('should tick messages off the outbox and drop a resolved incident once all are sent', () => {
    // Prepare
    const opened = attachAnalysis(EMPTY_OPEN_INCIDENTS, alarm('web', 0), at(1), cfg);
    const id = opened.incident.incidentId;
    const sent = markSent(opened.doc, id, opened.notification?.id ?? '', 'm1');
    const resolved = alarmOk(sent.doc, { alarmKey: 'web-fault-rate', at: at(9).toISOString() }, at(9), cfg);

    // Act
    const last = markSent(resolved.doc, id, resolved.notifications[0]?.id ?? '', 'm2');

    // Assess
    expect(pendingNotifications(sent.incident ?? opened.incident)).toEqual([]);
    expect(markSent(sent.doc, id, opened.notification?.id ?? '', 'm9').doc).toBe(sent.doc);
    expect(last.removed).toBe(true);
    expect(last.doc.incidents).toEqual([]);
    expect(last.incident?.notifications.map((n) => n.messageId)).toEqual(['m1', 'm2']);
  });
});

describe('Function: expireIdle', () => {
  it('should close an incident idle beyond the limit, keeping a message still to send in its outbox', () => {
    // Prepare
    const opened = attachAnalysis(EMPTY_OPEN_INCIDENTS, alarm('web', 0), at(1), cfg);
    const sent = markSent(opened.doc, opened.incident.incidentId, opened.notification?.id ?? '', 'm1');

    // Act
    const pending = expireIdle(opened.doc, at(25 * 60), cfg);
    const done = expireIdle(sent.doc, at(25 * 60), cfg);

    // Assess
    expect(pending.expired.map((i) => i.status)).toEqual(['EXPIRED']);
    expect(pendingNotifications(pending.expired[0] as Incident).map((n) => n.kind)).toEqual(['opened']);
    expect(sweepableIncidents(pending.doc, at(25 * 60), CLAIM_LEASE_MS).map((f) => f.incidentId)).toEqual([
      opened.incident.incidentId,
    ]);
    expect(done.expired.map((i) => i.status)).toEqual(['EXPIRED']);
    expect(expireIdle(sent.doc, at(60), cfg).expired).toEqual([]);
  });
});

describe('Function: claimNext', () => {
  it('should never claim a later message while an earlier one is claimed by a live sender', () => {
    // Prepare: #0 (root cause) claimed by a sender still publishing; the alarm's OK decides #1.
    const opened = attachAnalysis(EMPTY_OPEN_INCIDENTS, alarm('web', 0), at(1), cfg);
    const id = opened.incident.incidentId;
    const claimed = claimNext(opened.doc, id, 'notify-1', at(1), CLAIM_LEASE_MS);
    const resolved = alarmOk(
      claimed.doc,
      { alarmKey: 'web-fault-rate', at: at(2).toISOString() },
      at(2),
      cfg,
    );

    // Act
    const other = claimNext(resolved.doc, id, 'notify-2', at(2), CLAIM_LEASE_MS);
    const own = claimNext(resolved.doc, id, 'notify-1', at(2), CLAIM_LEASE_MS);
    const sent = markSent(resolved.doc, id, `${id}#0`, 'm1');
    const next = claimNext(sent.doc, id, 'notify-2', at(2), CLAIM_LEASE_MS);

    // Assess
    expect(resolved.notifications.map((n) => n.id)).toEqual([`${id}#1`]);
    expect(other.notification).toBeUndefined();
    expect(own.notification?.id).toBe(`${id}#0`);
    expect(next.notification?.id).toBe(`${id}#1`);
  });
});

describe('Function: bounded', () => {
  it('should keep every alarm in ALARM and every unsent message, under the byte limit, with ids never reused', () => {
    // Prepare: 150 alarms with long names on one cascade, all but the first 5 back to OK.
    const long = (s: string) => `${s}-${'y'.repeat(240)}`;
    let doc = EMPTY_OPEN_INCIDENTS;
    let id = '';
    for (let i = 0; i < 150; i++) {
      const a = alarm('web', i, { alarmKey: long(`k${i}`), alarmName: long(`a${i}`) });
      const r = attachAnalysis(doc, a, at(i), cfg);
      id = r.incident.incidentId;
      doc = r.doc;
      for (const n of r.incident.notifications) if (!n.sent) doc = markSent(doc, id, n.id, `m${n.id}`).doc;
      if (i >= 5) doc = alarmOk(doc, { alarmKey: a.alarmKey, at: at(i).toISOString() }, at(i), cfg).doc;
    }

    // Act
    const incident = doc.incidents.find((i) => i.incidentId === id) as Incident;
    const huge = bounded({ ...incident, timeline: Array(5000).fill(incident.timeline[0]) }, 20_000);

    // Assess
    expect(new TextEncoder().encode(JSON.stringify(incident)).length).toBeLessThanOrEqual(MAX_INCIDENT_BYTES);
    expect(incident.alarmCount).toBe(150);
    expect(incident.alarms.filter((a) => a.state === 'ALARM')).toHaveLength(5);
    expect(new TextEncoder().encode(JSON.stringify(huge)).length).toBeLessThanOrEqual(20_000);
    expect(huge.alarms.filter((a) => a.state === 'ALARM')).toHaveLength(5);
    const ids = incident.notifications.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('Function: sweepableIncidents', () => {
  /** Three unrelated incidents, each with its root-cause message decided at `decided` minutes. */
  function threeIncidents() {
    const lone = (service: string): Partial<AnalysedAlarm> => ({
      rootCause: service,
      reach: [service],
      near: [service],
    });
    const search = attachAnalysis(EMPTY_OPEN_INCIDENTS, alarm('search', 0), at(2), cfg);
    const web = attachAnalysis(search.doc, alarm('web', 0), at(1), cfg);
    const billing = attachAnalysis(web.doc, alarm('billing', 0, lone('billing')), at(3), cfg);
    return { doc: billing.doc, search: search.incident, web: web.incident, billing: billing.incident };
  }

  it('should list unclaimed messages and claims older than the lease, oldest message first', () => {
    // Prepare: web's sender claimed at 4 min and died; billing's claim (at 5 min) is still live.
    const { doc, search, web, billing } = threeIncidents();
    const now = new Date(at(4).getTime() + CLAIM_LEASE_MS);
    const dead = claimNext(doc, web.incidentId, 'dead-sender', at(4), CLAIM_LEASE_MS).doc;
    const live = claimNext(dead, billing.incidentId, 'live-sender', at(5), CLAIM_LEASE_MS).doc;

    // Act
    const found = sweepableIncidents(live, now, CLAIM_LEASE_MS);

    // Assess: web (decided at 1 min, its lease just over) before search (decided at 2 min).
    expect(found.map((f) => f.incidentId)).toEqual([web.incidentId, search.incidentId]);
    expect(found.map((f) => [f.oldest.kind, f.oldest.claimedBy, f.count])).toEqual([
      ['opened', 'dead-sender', 1],
      ['opened', undefined, 1],
    ]);
    expect(
      sweepableIncidents(live, new Date(now.getTime() - 1), CLAIM_LEASE_MS).map((f) => f.incidentId),
    ).toEqual([search.incidentId]);
  });

  it('should leave sent messages alone and find the unsent closing message of a resolved incident', () => {
    // Prepare
    const opened = attachAnalysis(EMPTY_OPEN_INCIDENTS, alarm('web', 0), at(1), cfg);
    const id = opened.incident.incidentId;
    const sent = markSent(opened.doc, id, opened.notification?.id ?? '', 'm1');
    const resolved = alarmOk(sent.doc, { alarmKey: 'web-fault-rate', at: at(9).toISOString() }, at(9), cfg);

    // Act
    const before = sweepableIncidents(sent.doc, at(10), CLAIM_LEASE_MS);
    const after = sweepableIncidents(resolved.doc, at(10), CLAIM_LEASE_MS);

    // Assess
    expect(before).toEqual([]);
    expect(after).toEqual([{ incidentId: id, oldest: resolved.notifications[0], count: 1 }]);
    expect(resolved.incidents[0]?.status).toBe('RESOLVED');
  });
});
