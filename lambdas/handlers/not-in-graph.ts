// The finding for a service that is not in the graph of its window: nothing is analyzed (a
// whole-graph finding would show a caller scoped to that service every service of the account).
// It keeps the graph's service names, so that the API can name those the caller may see (api.ts).
// No engine import here: the API function bundles this file.

import type { Finding, GraphSnapshot, Trigger } from '../core/model.ts';
import { closestNames, serviceNamesOf } from '../core/service-lookup.ts';

/** Names kept of a larger graph: enough to find one's service, bounded for the findings table. */
export const MAX_GRAPH_NAMES = 1000;
const MAX_GRAPH_NAME_CHARS = 64_000;

export interface NotInGraph {
  /** The service asked for. */
  readonly service: string;
  /** The service names of the incident graph, sorted (at most `MAX_GRAPH_NAMES`). */
  readonly graphServices: readonly string[];
}

export type NotInGraphFinding = Finding & { readonly notInGraph: NotInGraph };

/** A NO_DATA finding saying that `service` is not in the incident graph; no other service is named. */
export function notInGraphFinding(
  snapshot: GraphSnapshot,
  service: string,
  base: { readonly analysisId: string; readonly trigger: Trigger; readonly engineVersion: string },
): NotInGraphFinding {
  const names = serviceNamesOf(snapshot.incident);
  return {
    analysisId: base.analysisId,
    status: 'NO_DATA',
    method: 'engine',
    trigger: base.trigger,
    window: snapshot.incident.window ?? null,
    baselineWindow: snapshot.baseline?.window ?? null,
    rootCauses: [],
    dependencyChain: [],
    cascade: { paths: [] },
    services: [],
    recommendations: [],
    systemHealth: 1,
    summary:
      names.length === 0
        ? 'X-Ray recorded no requests in the incident window: nothing to analyze. Check that the services are instrumented and that the window is right.'
        : `Service ${JSON.stringify(service)} does not appear in the X-Ray graph of the incident window (no traced request reached it, or X-Ray knows it by another name), so nothing was analyzed.`,
    engineVersion: base.engineVersion,
    notInGraph: { service, graphServices: bounded(names) },
  };
}

function bounded(names: readonly string[]): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (const name of names.slice(0, MAX_GRAPH_NAMES)) {
    chars += name.length;
    if (chars > MAX_GRAPH_NAME_CHARS) break;
    kept.push(name);
  }
  return kept;
}

/** The `notInGraph` part of a stored finding, when it has a well-formed one. */
export function notInGraphOf(finding: Finding): NotInGraph | undefined {
  const v = (finding as { notInGraph?: unknown }).notInGraph;
  if (typeof v !== 'object' || v === null) return undefined;
  const { service, graphServices } = v as { service?: unknown; graphServices?: unknown };
  if (typeof service !== 'string' || !Array.isArray(graphServices)) return undefined;
  return { service, graphServices: graphServices.filter((s): s is string => typeof s === 'string') };
}

/**
 * What the API answers for such a finding: the services of the graph the caller may see, and the
 * closest of them to the name asked for.
 */
export function notInGraphAnswer(
  missing: NotInGraph,
  sees: (service: string) => boolean,
): { message: string; services: string[] } {
  const services = missing.graphServices.filter(sees);
  const close = closestNames(missing.service, services);
  return {
    message:
      `service ${JSON.stringify(missing.service)} is not in the X-Ray graph of the analysis window` +
      (close.length > 0 ? `; did you mean ${close.map((s) => JSON.stringify(s)).join(', ')}?` : ''),
    services,
  };
}
