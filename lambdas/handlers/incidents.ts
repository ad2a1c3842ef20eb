// The incident steps over their ports: attach an analysed alarm to its incident, record an alarm
// back to OK, and send an incident's outbox. The decisions are the pure reducers of
// lambdas/core/incidents; this module only reads, writes and publishes around them.

import type { FeedbackLookup } from '../adapters/feedback-lookup.ts';
import type { IncidentScope, IncidentsWriter } from '../adapters/incidents-writer.ts';
import type { FindingLookup, Notifier, Page, PageChannel, PageReceipt, Pager } from '../adapters/ports.ts';
import { confirmedCause } from '../core/feedback.ts';
import { cascadeSet } from '../core/incidents/correlate.ts';
import {
  type AnalysedAlarm,
  type Attached,
  alarmOk,
  attachAnalysis,
  claimNext,
  expireIdle,
  markDelivered,
  markSent,
  type Resolved,
} from '../core/incidents/lifecycle.ts';
import {
  CLAIM_LEASE_MS,
  type Incident,
  type IncidentConfig,
  type IncidentNotification,
} from '../core/incidents/model.ts';
import type { Finding } from '../core/model.ts';
import type { ConsoleLink } from '../report/console-link.ts';
import { incidentNote } from '../report/incident-text.ts';
import {
  type PageOptions,
  pageRouteOf,
  renderPagerDutyEvents,
  renderWebhookDocument,
} from '../report/pages.ts';
import { type AlarmRef, reportPathFor } from './contracts.ts';

export interface IncidentDeps {
  readonly incidents: IncidentsWriter;
  readonly config: IncidentConfig;
  readonly now: () => Date;
  /** The incident in the AWS console, for the messages (INCIDENT_DASHBOARD); none without it. */
  readonly consoleLink?: ConsoleLink;
}

/**
 * Attaches the analysis of `alarm` to its incident: `finding` gives its cascade, `near` the
 * services near the alarmed one in its graph.
 */
export function attachFinding(
  finding: Finding,
  alarm: AlarmRef,
  service: string,
  near: readonly string[],
  deps: IncidentDeps,
): Promise<Attached> {
  const analysed: AnalysedAlarm = {
    analysisId: finding.analysisId,
    alarmKey: alarm.key,
    alarmName: alarm.name,
    service,
    firedAt: alarm.firedAt,
    status: finding.status,
    rootCause: finding.status === 'COMPLETED' ? (finding.rootCauses[0]?.service ?? null) : null,
    ...(finding.error !== undefined ? { error: finding.error } : {}),
    reach: finding.status === 'FAILED' ? [service] : cascadeSet(finding),
    near: near.length > 0 ? near : [service],
  };
  const scope: IncidentScope = {
    kind: 'attach',
    analysisId: analysed.analysisId,
    alarmKey: analysed.alarmKey,
    firedAt: analysed.firedAt,
    windowMinutes: deps.config.windowMinutes,
    // Its own service first, then its neighbours, then its cascade: where its incident is indexed.
    services: [service, ...analysed.near, ...analysed.reach],
  };
  return deps.incidents.mutate(scope, (doc) => {
    const r = attachAnalysis(doc, analysed, deps.now(), deps.config);
    return { doc: r.doc, result: r, touched: [r.incident, ...r.absorbed] };
  });
}

/** An alarm back to OK; the incident resolves when it was its last alarm in ALARM. */
export function recordAlarmOk(alarmKey: string, at: string, deps: IncidentDeps): Promise<Resolved> {
  return deps.incidents.mutate({ kind: 'alarm-ok', alarmKey }, (doc) => {
    const r = alarmOk(doc, { alarmKey, at }, deps.now(), deps.config);
    return { doc: r.doc, result: r, touched: r.incidents };
  });
}

/**
 * Closes `incidentId` as EXPIRED when it is open and idle past `maxIdleHours`; a message it still
 * has to send stays in its outbox. Returns the expired incident, or undefined.
 */
export function expireIfIdle(incidentId: string, deps: IncidentDeps): Promise<Incident | undefined> {
  return deps.incidents.mutate({ kind: 'incident', incidentId }, (doc) => {
    const own = doc.incidents.filter((i) => i.incidentId === incidentId);
    const r = expireIdle({ ...doc, incidents: own }, deps.now(), deps.config);
    const expired = r.expired[0];
    return { doc: expired === undefined ? doc : r.doc, result: expired, touched: r.expired };
  });
}

export interface FlushDeps extends IncidentDeps {
  readonly repository: FindingLookup;
  readonly notifier: Notifier;
  /** How long a claim on a message holds before another sender may take it over. @default CLAIM_LEASE_MS (120 s) */
  readonly leaseMs?: number;
  /**
   * How long a sender waits for another live sender to finish an earlier message of the incident
   * before it leaves its own to that sender (or, if that sender died, to the sweep). @default 10 s
   */
  readonly waitForEarlierMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** On-call's verdicts (issue 21): the closing message names the root cause they confirmed. */
  readonly feedback?: FeedbackLookup;
  /** Where every incident message also goes, after SNS: PagerDuty, a signed webhook. @default none */
  readonly pagers?: readonly Pager[];
  /** What pages link to. */
  readonly pageOptions?: PageOptions;
  /** Told of every page a receiver took, refused for good, or could not take now. */
  readonly onPage?: (event: PageEvent) => void;
  /**
   * What a sender does when a pager's receiver stays down after `pageAttempts` tries: `hold` stops
   * flushing the incident and returns (the message keeps its claim; the sweep takes it over once the
   * lease ends), so a paging outage fails no analysis; `throw` raises PagesHeldError (the sweep: its
   * run fails and its errors alarm fires while pages wait). @default 'hold'
   */
  readonly onPagerDown?: 'hold' | 'throw';
  /** Tries of one page before the receiver counts as down. @default 2 */
  readonly pageAttempts?: number;
}

export interface PageEvent {
  readonly channel: PageChannel;
  readonly notificationId: string;
  readonly kind: IncidentNotification['kind'];
  /** `held`: the receiver is down; the message stays in the outbox for a retry or the sweep. */
  readonly receipt: PageReceipt | { readonly outcome: 'held'; readonly detail: string };
}

/** A pager's receiver is down: the message and the ones after it wait in the incident's outbox. */
export class PagesHeldError extends Error {
  override readonly name = 'PagesHeldError';
}

/** An incident message as `channel` renders it: the handler renders, the pager only delivers. */
export function renderPage(
  channel: PageChannel,
  incident: Incident,
  notification: IncidentNotification,
  finding: Finding,
  options: PageOptions = {},
): Page {
  const reportPath = reportPathFor(finding.analysisId);
  const documents =
    channel === 'pagerduty'
      ? renderPagerDutyEvents(incident, notification, finding, reportPath, options)
      : [renderWebhookDocument(incident, notification, finding, reportPath, options)];
  return { id: notification.id, route: pageRouteOf(incident), documents };
}

/**
 * Sends the incident's outbox, oldest first, each message with its finding. A message is claimed
 * (one sender at a time: `claimant`, the execution's own id, so its retries go on), published,
 * then ticked off. A crash between publishing and ticking off sends it again on the retry, with
 * the same `notificationId` attribute for subscribers to drop the repeat; a message is never ticked
 * off unsent. With pagers, each channel that took the message is recorded on it (SNS first, then
 * each pager), so a pager that is down holds the message, and the ones after it, until a retry or
 * the sweep finds it back; the channels that took it are not sent it again. Returns the ids sent
 * by this call.
 */
export async function flushIncident(
  incidentId: string,
  claimant: string,
  deps: FlushDeps,
): Promise<string[]> {
  const sent: string[] = [];
  const lease = deps.leaseMs ?? CLAIM_LEASE_MS;
  const waitBudget = deps.waitForEarlierMs ?? 10_000;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let waited = 0;
  for (let round = 0; round < 50; round++) {
    const scope: IncidentScope = { kind: 'incident', incidentId };
    const claim = await deps.incidents.mutate(scope, (doc) => {
      const r = claimNext(doc, incidentId, claimant, deps.now(), lease);
      return { doc: r.doc, result: r, touched: [] };
    });
    const { incident, notification } = claim;
    if (incident === undefined) return sent;
    if (notification === undefined) {
      // Messages go out in order: an earlier one held by another live sender is waited for a
      // while, since that sender may die before it takes the next one.
      const held = incident.notifications.find((n) => !n.sent);
      if (held === undefined || held.claimedBy === claimant || waited >= waitBudget) return sent;
      const pause = Math.min(500, 50 * 2 ** Math.min(round, 4));
      await sleep(pause);
      waited += pause;
      continue;
    }
    const analysisId = notification.analysisId ?? incident.currentAnalysisId;
    const finding = analysisId === null ? undefined : await deps.repository.get(analysisId);
    if (finding === undefined) {
      throw new Error(
        `incident ${incidentId}: the finding of analysis ${analysisId ?? '(none)'} is not stored yet`,
      );
    }
    const pagers = deps.pagers ?? [];
    const delivered = new Set(notification.delivered ?? []);
    let messageId = notification.messageId;
    const record =
      notification.kind === 'resolved' ? await deps.feedback?.get(finding.analysisId) : undefined;
    const confirmed = record === undefined ? undefined : confirmedCause(record);
    if (!delivered.has('sns') || messageId === undefined) {
      ({ messageId } = await deps.notifier.publish(
        finding,
        reportPathFor(finding.analysisId),
        incidentNote(incident, notification, deps.consoleLink?.(incidentId), confirmed),
      ));
      const id = messageId;
      if (pagers.length > 0) await recordDelivered(incidentId, notification.id, 'sns', deps, id);
    }
    for (const pager of pagers) {
      if (delivered.has(pager.channel)) continue;
      const page = renderPage(pager.channel, incident, notification, finding, deps.pageOptions);
      let receipt: PageReceipt | undefined;
      let failure = '';
      const attempts = deps.pageAttempts ?? 2;
      for (let attempt = 1; attempt <= attempts && receipt === undefined; attempt++) {
        try {
          receipt = await pager.deliver(page);
        } catch (err) {
          // Anything else (a secret that cannot be read, a bug) is not the receiver's outage: it fails the step.
          if (!(err instanceof Error) || err.name !== 'PageDeliveryError') throw err;
          failure = err.message;
          if (attempt < attempts) await sleep(500 * attempt);
        }
      }
      if (receipt === undefined) {
        const held = { outcome: 'held' as const, detail: failure };
        deps.onPage?.({
          channel: pager.channel,
          notificationId: notification.id,
          kind: notification.kind,
          receipt: held,
        });
        if ((deps.onPagerDown ?? 'hold') === 'throw')
          throw new PagesHeldError(`incident ${incidentId}: ${notification.id} held: ${failure}`);
        return sent;
      }
      deps.onPage?.({
        channel: pager.channel,
        notificationId: notification.id,
        kind: notification.kind,
        receipt,
      });
      await recordDelivered(incidentId, notification.id, pager.channel, deps);
    }
    const sentId = messageId;
    await deps.incidents.mutate(scope, (doc) => {
      const r = markSent(doc, incidentId, notification.id, sentId);
      return { doc: r.doc, result: r, touched: r.incident ? [r.incident] : [] };
    });
    sent.push(notification.id);
  }
  return sent;
}

function recordDelivered(
  incidentId: string,
  notificationId: string,
  channel: string,
  deps: FlushDeps,
  messageId?: string,
): Promise<unknown> {
  return deps.incidents.mutate({ kind: 'incident', incidentId }, (doc) => {
    const r = markDelivered(doc, incidentId, notificationId, channel, messageId);
    return { doc: r.doc, result: r, touched: r.incident ? [r.incident] : [] };
  });
}
