// Which incident an alarm belongs to. Pure: the cascade of an alarm's own analysis and its graph
// neighbourhood in, the open incident it joins (or none: it opens one) out.

import type { Finding } from '../model.ts';
import type { Incident, IncidentConfig } from './model.ts';

const MINUTE_MS = 60_000;

/**
 * The services a finding ties to the alarmed service's cascade: each root cause the alarmed service
 * is (or is hurt by — it is among its affected or at-risk services), with those services, its entry
 * points and its propagation paths, plus the alarmed service itself. A root cause elsewhere in the
 * graph (another cascade in the same window) is left out, so two cascades stay two incidents.
 */
export function cascadeSet(finding: Finding): string[] {
  const alarmed = finding.trigger.service;
  const set = new Set<string>(alarmed === undefined ? [] : [alarmed]);
  const relevant = finding.rootCauses.filter(
    (rc) =>
      alarmed === undefined ||
      rc.service === alarmed ||
      rc.blastRadius.affected.includes(alarmed) ||
      rc.blastRadius.atRisk.includes(alarmed),
  );
  for (const rc of relevant) {
    set.add(rc.service);
    for (const s of rc.blastRadius.affected) set.add(s);
    for (const s of rc.blastRadius.atRisk) set.add(s);
    for (const s of rc.blastRadius.entryPoints) set.add(s);
    for (const path of finding.cascade.paths) {
      if (path.origin === rc.service) for (const s of path.services) set.add(s);
    }
  }
  return [...set].sort();
}

/** Services within `hops` calls of `seeds`, either direction (a caller and a callee are both near). */
export function neighborhood(
  edges: readonly (readonly [string, string])[],
  seeds: readonly string[],
  hops: number,
): string[] {
  const adj = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    const s = adj.get(a) ?? new Set<string>();
    s.add(b);
    adj.set(a, s);
  };
  for (const [a, b] of edges) {
    link(a, b);
    link(b, a);
  }
  const seen = new Set(seeds);
  let frontier = [...seeds];
  for (let d = 0; d < hops && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const s of frontier) {
      for (const n of adj.get(s) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return [...seen].sort();
}

/** What correlation knows of one alarm: its service, when it fired, its cascade and neighbourhood. */
export interface AlarmContext {
  readonly service: string;
  readonly firedAt: string;
  /** `cascadeSet` of the alarm's own analysis (just the service when the analysis failed). */
  readonly reach: readonly string[];
  /** `neighborhood` of the service in the alarm's graph. */
  readonly near: readonly string[];
}

/**
 * The open incident `alarm` joins, or undefined. It joins when it fired within the window of the
 * incident's last activity and either its service is in the incident's cascade or near an alarmed
 * service, or an alarmed service of the incident is in the alarm's own cascade or near it — the
 * last two keep the answer the same whichever of two alarms of one cascade is attached first.
 * Several candidates: the one sharing most services, then the oldest.
 */
export function correlate(
  open: readonly Incident[],
  alarm: AlarmContext,
  config: IncidentConfig,
): Incident | undefined {
  return relatedIncidents(open, alarm, config)[0];
}

/** Every open incident `alarm` relates to (see `correlate`), best first. */
export function relatedIncidents(
  open: readonly Incident[],
  alarm: AlarmContext,
  config: IncidentConfig,
): Incident[] {
  const at = Date.parse(alarm.firedAt);
  const windowMs = config.windowMinutes * MINUTE_MS;
  const mine = new Set([...alarm.reach, ...alarm.near, alarm.service]);
  const found: { incident: Incident; overlap: number }[] = [];
  for (const incident of open) {
    if (incident.status !== 'OPEN') continue;
    if (Math.abs(at - Date.parse(incident.lastActivityAt)) > windowMs) continue;
    const theirs = new Set([...incident.reach, ...incident.near]);
    const alarmed = new Set(incident.alarms.map((a) => a.service));
    const related = theirs.has(alarm.service) || [...alarmed].some((s) => mine.has(s));
    if (!related) continue;
    found.push({ incident, overlap: [...mine].filter((s) => theirs.has(s)).length });
  }
  return found
    .sort((a, b) => b.overlap - a.overlap || (older(a.incident, b.incident) ? -1 : 1))
    .map((f) => f.incident);
}

function older(a: Incident, b: Incident): boolean {
  return a.openedAt < b.openedAt || (a.openedAt === b.openedAt && a.incidentId < b.incidentId);
}
