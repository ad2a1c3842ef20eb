// Synthetic service graphs for the speed benchmark: the simulator's generated estate of N services
// (lambdas/simulator/topologies/generated.ts) with one shared back end failing in the incident
// window. Deterministic: the same (services, seed) always gives the same bytes.

import { type FaultSpec, parseFault } from '../lambdas/simulator/faults.ts';
import type { XRayServiceGraph } from '../lambdas/simulator/graph-builder.ts';
import { mulberry32 } from '../lambdas/simulator/graph-builder.ts';
import {
  DEFAULT_BASELINE_MINUTES,
  DEFAULT_MINUTES,
  DEFAULT_START,
  simulate,
} from '../lambdas/simulator/simulate.ts';
import { generatedTopology } from '../lambdas/simulator/topologies/generated.ts';
import { type CompiledTopology, compileTopology } from '../lambdas/simulator/topology.ts';

export interface SyntheticSnapshot {
  readonly incident: XRayServiceGraph;
  readonly baseline: XRayServiceGraph;
  /** Name of the faulty back end (unique in the graph). */
  readonly rootCause: string;
  /** Its X-Ray Type. */
  readonly rootCauseType: string;
}

/** Incident: 2026-11-20T03:00Z–03:15Z; baseline: the hour before. Epoch seconds. */
export const SYNTHETIC_INCIDENT_WINDOW = {
  start: DEFAULT_START,
  end: DEFAULT_START + DEFAULT_MINUTES * 60,
} as const;
export const SYNTHETIC_BASELINE_WINDOW = {
  start: DEFAULT_START - DEFAULT_BASELINE_MINUTES * 60,
  end: DEFAULT_START,
} as const;

/** The planted fault: 20 % of the back end's answers are 5xx and it is 3× slower. */
function plantedFaults(service: string): FaultSpec[] {
  return [parseFault(`${service}:error:0.2`), parseFault(`${service}:latency:x3`)];
}

/** A shared back end (an inferred node with at least two callers), chosen by `seed`. */
function rootCauseOf(topo: CompiledTopology, seed: number): number {
  const shared: number[] = [];
  for (let v = 0; v < topo.n; v++) {
    if (topo.inferred[v] && (topo.inStart[v + 1] ?? 0) - (topo.inStart[v] ?? 0) >= 2) shared.push(v);
  }
  const pool = shared.length > 0 ? shared : [...topo.inferred.keys()].filter((v) => topo.inferred[v]);
  return pool[Math.floor(mulberry32(seed ^ 0x0dd_ba11)() * pool.length)] ?? 0;
}

/**
 * A synthetic `{incident, baseline}` snapshot of the generated estate with `services` services
 * (10–20,000; client nodes not counted): see `generatedTopology`. In the incident window a shared
 * back end chosen by `seed` fails 20 % of calls and is 3× slower; callers pass most of it on. Noise
 * (traffic, latency levels, background errors) comes from `seed` as well. Histograms are `compact`.
 */
export function generateSyntheticSnapshot(services: number, seed: number): SyntheticSnapshot {
  const topo = compileTopology(generatedTopology(services));
  const root = rootCauseOf(topo, seed);
  const sim = simulate(topo, {
    faults: plantedFaults(topo.labels[root] as string),
    seed,
    histogramBins: 'compact',
  });
  return {
    incident: sim.snapshot.incident as XRayServiceGraph,
    baseline: sim.snapshot.baseline as XRayServiceGraph,
    rootCause: topo.names[root] as string,
    rootCauseType: topo.types[root] as string,
  };
}

/** The root cause `generateSyntheticSnapshot(services, seed)` plants, without simulating. */
export function syntheticRootCause(services: number, seed: number): string {
  const topo = compileTopology(generatedTopology(services));
  return topo.names[rootCauseOf(topo, seed)] as string;
}
