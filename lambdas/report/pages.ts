// An incident message as a page: the PagerDuty Events API v2 event (without its routing key, which
// only the delivering adapter holds) and the signed webhook's JSON document (docs/paging.md). Pure:
// the same incident, message and finding give the same bytes, within PagerDuty's documented limits.

import { describeKind } from '../core/incidents/lifecycle.ts';
import type { Incident, IncidentNotification } from '../core/incidents/model.ts';
import type { Finding, RootCause } from '../core/model.ts';
import { changeSentence } from './evidence.ts';
import { neutralizeFinding } from './format.ts';
import { alarmsText, distinctAlarms, oneLine } from './incident-text.ts';

/** PagerDuty's documented limits (Events API v2, "Send an Alert Event" and "API Limits"). */
export const PAGERDUTY_LIMITS = {
  summaryChars: 1024,
  dedupKeyChars: 255,
  routingKeyChars: 32,
  payloadBytes: 512 * 1024,
} as const;

export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

/**
 * Severity from the root cause's blast radius: the share of entry (user) traffic that passes
 * through it. A quarter or more of the users' requests is `critical`; any share, or any service
 * affected, is `error`; a root cause that reaches no entry traffic is `warning`. An analysis that
 * found no root cause is `error`: the alarm still fired and nobody knows how far it reaches.
 */
export const SEVERITY_THRESHOLDS = { critical: 0.25, error: 0.01 } as const;

/** The webhook document's schema name and version; a breaking change gets a new version. */
export const WEBHOOK_SCHEMA = 'cascade-analyzer.incident-message/v1';

/** Texts, lists and names in a page stay short: a page is read on a phone. */
const MAX_TEXT = 500;
const MAX_LIST = 5;
const MAX_NAMES = 20;

export interface PageOptions {
  /**
   * Where a person opens the incident, `{incidentId}` replaced (e.g. a console or an internal page
   * in front of the API). Without it a page carries the API path only.
   */
  readonly incidentUrl?: string;
}

/** The facts of the finding that a page carries, named as the on-call engineer reads them. */
export interface PageFacts {
  readonly analysisId: string;
  readonly status: Finding['status'];
  readonly rootCause: {
    readonly service: string;
    readonly type: string;
    readonly kind: string;
    readonly confidence: number;
    readonly impactScore: number;
  } | null;
  /** The numbers that made the root cause an origin, and X-Ray's traces about it. */
  readonly evidence: readonly string[];
  /** Deployments and configuration changes near the start that touch the cascade. */
  readonly whatChanged: readonly string[];
  /** From the root cause to the users, e.g. `["payments", "checkout", "frontend"]`. */
  readonly pathToUsers: readonly string[];
  /** The first recommendation, in words. */
  readonly firstAction: string | null;
  readonly blastRadius: {
    readonly affected: readonly string[];
    readonly entryPoints: readonly string[];
    readonly entryTrafficShare: number;
  } | null;
  readonly reportPath: string;
  readonly error?: string;
}

/** PagerDuty's event, less `routing_key`: the adapter adds it for the incident's route. */
export interface PagerDutyEvent {
  readonly event_action: 'trigger' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details: Readonly<Record<string, unknown>>;
  };
  readonly client?: string;
  readonly client_url?: string;
  readonly links?: readonly { readonly href: string; readonly text: string }[];
}

export interface WebhookDocument {
  readonly schema: typeof WEBHOOK_SCHEMA;
  /** The message id: the same on every retry, the receiver de-duplicates on it. */
  readonly id: string;
  readonly kind: IncidentNotification['kind'];
  /** The message's place in its incident: 0 for the opening one, then 1, 2… */
  readonly sequence: number;
  readonly decidedAt: string;
  readonly summary: string;
  readonly severity: PagerDutySeverity;
  readonly incident: {
    readonly id: string;
    readonly status: Incident['status'];
    readonly openedAt: string;
    readonly openedOn: string | null;
    readonly resolvedAt: string | null;
    readonly alarms: string;
    readonly alarmedServices: readonly string[];
    readonly mergedFrom: readonly string[];
    readonly path: string;
    readonly url: string | null;
  };
  readonly finding: PageFacts | null;
}

/** The service whose route an incident's pages take: the one whose alarm opened it. */
export function pageRouteOf(incident: Incident): string | undefined {
  return incident.openedOn ?? incident.alarms[0]?.service;
}

/** The sequence number in a message id `<incidentId>#<seq>`. */
export function sequenceOf(notificationId: string): number {
  const n = Number(notificationId.slice(notificationId.lastIndexOf('#') + 1));
  return Number.isSafeInteger(n) ? n : 0;
}

export function incidentPath(incidentId: string): string {
  return `/incidents/${encodeURIComponent(incidentId)}`;
}

export function incidentUrlOf(incidentId: string, options: PageOptions): string | undefined {
  return options.incidentUrl?.replaceAll('{incidentId}', encodeURIComponent(incidentId));
}

export function severityOf(finding: Finding | undefined): PagerDutySeverity {
  const top = finding?.status === 'COMPLETED' ? finding.rootCauses[0] : undefined;
  if (top === undefined) return 'error';
  const share = top.blastRadius.entryTrafficShare;
  if (share >= SEVERITY_THRESHOLDS.critical) return 'critical';
  if (share >= SEVERITY_THRESHOLDS.error || top.blastRadius.affected.length > 0) return 'error';
  return 'warning';
}

/**
 * One line naming what the message says, the root cause and its confidence, e.g.
 * `Root cause api.payments.example.com (confidence 99 %): 1 alarm on 1 service, 40 % of entry traffic [inc-…]`.
 */
export function pageSummary(
  incident: Incident,
  n: IncidentNotification,
  finding: Finding | undefined,
): string {
  const f = finding === undefined ? undefined : neutralizeFinding(finding);
  const top = f?.status === 'COMPLETED' ? f.rootCauses[0] : undefined;
  const alarms = alarmsText(incident);
  const cause =
    top !== undefined
      ? `${oneLine(top.service)} (confidence ${Math.round(top.confidence * 100)} %)`
      : f?.status === 'FAILED'
        ? 'undetermined: the analysis failed'
        : f?.status === 'NO_DATA'
          ? 'undetermined: X-Ray had no data in the window'
          : 'undetermined: no cascade found';
  const reach =
    top !== undefined ? `, ${Math.round(top.blastRadius.entryTrafficShare * 100)} % of entry traffic` : '';
  let text: string;
  switch (n.kind) {
    case 'opened':
      text = `Root cause ${cause}: ${alarms}${reach}`;
      break;
    case 'root-cause-changed':
      text = `Root cause now ${cause}: ${alarms}${reach}`;
      break;
    case 'update':
      text = `Incident grew to ${alarms}; root cause ${cause}${reach}`;
      break;
    case 'resolved':
      text = `Resolved: every alarm back to OK (${alarms}); root cause ${cause}`;
      break;
  }
  const suffix = ` [${incident.incidentId}]`;
  return `${clipChars(text, PAGERDUTY_LIMITS.summaryChars - suffix.length)}${suffix}`;
}

/** The finding's key facts: root cause, evidence, what changed, path to users, first action. */
export function pageFacts(unsafe: Finding, reportPath: string): PageFacts {
  const f = neutralizeFinding(unsafe);
  const top: RootCause | undefined = f.status === 'COMPLETED' ? f.rootCauses[0] : undefined;
  const t = (s: string) => clipChars(s.trim(), MAX_TEXT);
  const names = (xs: readonly string[]) => xs.slice(0, MAX_NAMES).map(t);
  const evidence = top === undefined ? [] : top.evidence.slice(0, MAX_LIST).map((e) => t(e.text));
  if (top?.traces !== undefined) {
    const x = top.traces.exceptions.slice(0, 3).map((e) => `${e.name} ×${e.count}`);
    evidence.push(
      t(
        `X-Ray blames it in ${top.traces.traces} traces (${Math.round(top.traces.share * 100)} %)${x.length > 0 ? `: ${x.join(', ')}` : ''}`,
      ),
    );
  }
  const changes = (top?.changes ?? f.changes ?? []).slice(0, 3).map((c) => t(changeSentence(c)));
  const path = top === undefined ? undefined : f.cascade.paths.find((p) => p.origin === top.service);
  // Recommendations come ranked: the first is what to do first.
  const action = f.recommendations[0];
  return {
    analysisId: t(f.analysisId),
    status: f.status,
    rootCause:
      top === undefined
        ? null
        : {
            service: t(top.service),
            type: t(top.type),
            kind: t(top.kind),
            confidence: top.confidence,
            impactScore: top.impactScore,
          },
    evidence,
    whatChanged: changes,
    pathToUsers: path === undefined ? (top === undefined ? [] : [t(top.service)]) : names(path.services),
    firstAction: action === undefined ? null : t(action.text),
    blastRadius:
      top === undefined
        ? null
        : {
            affected: names(top.blastRadius.affected),
            entryPoints: names(top.blastRadius.entryPoints),
            entryTrafficShare: top.blastRadius.entryTrafficShare,
          },
    reportPath: t(reportPath),
    ...(f.error !== undefined ? { error: t(f.error) } : {}),
  };
}

/**
 * The PagerDuty events of one incident message: a trigger for the opening message and for every
 * later one but the resolution (same `dedup_key`: PagerDuty updates the open alert), a resolve for
 * the resolution. A resolution also resolves the alerts of incidents merged into this one, which were
 * triggered under their own ids before the merge.
 */
export function renderPagerDutyEvents(
  incident: Incident,
  n: IncidentNotification,
  finding: Finding | undefined,
  reportPath: string,
  options: PageOptions = {},
): PagerDutyEvent[] {
  const dedup = (id: string) => clipChars(id, PAGERDUTY_LIMITS.dedupKeyChars);
  if (n.kind === 'resolved') {
    return [incident.incidentId, ...(incident.mergedFrom ?? [])].map((id) => ({
      event_action: 'resolve' as const,
      dedup_key: dedup(id),
    }));
  }
  const facts = finding === undefined ? null : pageFacts(finding, reportPath);
  const top = facts?.rootCause ?? null;
  const route = pageRouteOf(incident);
  const url = incidentUrlOf(incident.incidentId, options);
  const details: Record<string, unknown> = {
    incident: incident.incidentId,
    message: n.id,
    what: describeKind(n.kind),
    alarms: alarmsText(incident),
    alarmed_services: [...new Set(distinctAlarms(incident).map((a) => oneLine(a.service)))].slice(
      0,
      MAX_NAMES,
    ),
    root_cause: top,
    evidence: facts?.evidence ?? [],
    what_changed: facts?.whatChanged ?? [],
    path_to_users: facts?.pathToUsers.join(' → ') ?? '',
    first_action: facts?.firstAction ?? null,
    affected: facts?.blastRadius?.affected ?? [],
    entry_traffic_share: facts?.blastRadius?.entryTrafficShare ?? null,
    analysis: facts?.analysisId ?? null,
    analysis_status: facts?.status ?? null,
    report_path: facts?.reportPath ?? null,
    incident_path: incidentPath(incident.incidentId),
    ...(facts?.error !== undefined ? { error: facts.error } : {}),
  };
  const source = clipChars(oneLine(top?.service ?? route ?? 'cascade-analyzer') || 'cascade-analyzer', 255);
  return [
    {
      event_action: 'trigger',
      dedup_key: dedup(incident.incidentId),
      payload: {
        summary: pageSummary(incident, n, finding),
        source,
        severity: severityOf(finding),
        timestamp: n.decidedAt,
        ...(top !== null ? { component: clipChars(top.type, 255), class: clipChars(top.kind, 255) } : {}),
        ...(route !== undefined ? { group: clipChars(oneLine(route), 255) } : {}),
        custom_details: details,
      },
      client: 'cascade-analyzer',
      ...(url !== undefined
        ? { client_url: url, links: [{ href: url, text: `Incident ${incident.incidentId}` }] }
        : {}),
    },
  ];
}

/** The webhook's document for one incident message (docs/paging.md, "The webhook"). */
export function renderWebhookDocument(
  incident: Incident,
  n: IncidentNotification,
  finding: Finding | undefined,
  reportPath: string,
  options: PageOptions = {},
): WebhookDocument {
  const url = incidentUrlOf(incident.incidentId, options);
  const route = pageRouteOf(incident);
  return {
    schema: WEBHOOK_SCHEMA,
    id: n.id,
    kind: n.kind,
    sequence: sequenceOf(n.id),
    decidedAt: n.decidedAt,
    summary: pageSummary(incident, n, finding),
    severity: severityOf(finding),
    incident: {
      id: incident.incidentId,
      status: incident.status,
      openedAt: incident.openedAt,
      openedOn: route === undefined ? null : oneLine(route),
      resolvedAt: incident.resolvedAt ?? null,
      alarms: alarmsText(incident),
      alarmedServices: [...new Set(distinctAlarms(incident).map((a) => oneLine(a.service)))].slice(
        0,
        MAX_NAMES,
      ),
      mergedFrom: incident.mergedFrom ?? [],
      path: incidentPath(incident.incidentId),
      url: url ?? null,
    },
    finding: finding === undefined ? null : pageFacts(finding, reportPath),
  };
}

/** At most `max` characters (UTF-16 code units, as PagerDuty counts), an ellipsis when cut. */
function clipChars(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, Math.max(0, max - 1));
  // Never leave half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
