// `demo --scenario NAME` for the simulator's topologies: a fixed, reproducible incident per
// topology — the most-called back end behind a synchronous call fails 20 % of its calls and
// slows down — replayed through the local workflow like any other scenario.

import { parseFault } from '../simulator/faults.ts';
import { simulate } from '../simulator/simulate.ts';
import { builtinTopology, NAMED_TOPOLOGIES } from '../simulator/topologies/index.ts';
import { compileTopology } from '../simulator/topology.ts';
import { simulateTraceSummaries, traceJson, traceSummaryJson } from '../simulator/trace-summaries.ts';
import { type ScenarioProvider, scenarioFromGenerated } from './scenarios.ts';

const GENERATED = /^generated-(\d+)$/;
/** The injected fault: the share of the target's own answers that are 5xx, and its slow-down. */
export const INJECTED_ERROR = 0.2;
export const INJECTED_SLOWDOWN = 4;

export const simulatedScenarios: ScenarioProvider = {
  names: () => [...NAMED_TOPOLOGIES.map((t) => t.name).filter((n) => n !== 'shop'), 'generated-1000'],
  async scenario(name) {
    const generated = GENERATED.exec(name);
    const known = NAMED_TOPOLOGIES.some((t) => t.name === name);
    if (!known && !generated) return undefined;
    const spec = generated ? builtinTopology('generated', Number(generated[1])) : builtinTopology(name);
    const topo = compileTopology(spec);
    // The back end with the most synchronous callers: where a real cascade hurts most.
    const callers = new Int32Array(topo.n);
    for (let i = 0; i < topo.e; i++) {
      const callee = topo.to[i] as number;
      if (!topo.async[i]) callers[callee] = (callers[callee] ?? 0) + 1;
    }
    let target = -1;
    for (let v = 0; v < topo.n; v++) {
      if ((topo.entry[v] ?? 0) > 0) continue;
      if (target < 0 || (callers[v] as number) > (callers[target] as number)) target = v;
    }
    const label = topo.labels[target] as string;
    const sim = simulate(topo, {
      faults: [
        parseFault(`${label}:error:${INJECTED_ERROR}`),
        parseFault(`${label}:latency:x${INJECTED_SLOWDOWN}`),
      ],
      seed: 7,
    });
    const specs = simulateTraceSummaries(sim);
    const incident = Array.isArray(sim.snapshot.incident) ? sim.snapshot.incident[0] : sim.snapshot.incident;
    const scenario = scenarioFromGenerated({
      name,
      incident: sim.snapshot.incident,
      baseline: sim.snapshot.baseline,
      rootCause: topo.names[target] as string,
      // The injected fault, said as one: what X-Ray then records (callers retry, an inferred
      // node is seen through its callers' calls) is the finding's observed rate, often lower.
      description: `${topo.n} services (${spec.name}); injected into ${label}: 5xx on ${INJECTED_ERROR * 100} % of its own answers and ${INJECTED_SLOWDOWN}× its own time; the finding shows the rates X-Ray observed`,
    });
    return {
      ...scenario,
      evidence: {
        traces: { TraceSummaries: specs.map(traceSummaryJson) },
        exemplars: { Traces: specs.map(traceJson) },
        recordedEnd: incident?.EndTime ?? 0,
      },
    };
  },
};
