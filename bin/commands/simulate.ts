// `cascade-analyzer simulate`: a topology plus faults in, the X-Ray graph snapshot of the incident
// out; with --from-graph (or --what-if), the predicted blast radius next to the engine's analysis.

import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { GraphInputError } from '../../lambdas/core/errors.ts';
import { deepNeutralize, neutralizeText } from '../../lambdas/report/format.ts';
import { SimulationInputError } from '../../lambdas/simulator/errors.ts';
import {
  DEFAULT_SEVERITY,
  describeFault,
  type FaultSpec,
  parseFault,
  SATURATION_RANGE,
} from '../../lambdas/simulator/faults.ts';
import { topologyFromGraph } from '../../lambdas/simulator/from-graph.ts';
import {
  DEFAULT_BASELINE_MINUTES,
  DEFAULT_MINUTES,
  DEFAULT_START,
  type SimulateOptions,
  type Simulation,
  simulate,
  WINDOW_MINUTES,
} from '../../lambdas/simulator/simulate.ts';
import { GENERATED_MAX, GENERATED_MIN } from '../../lambdas/simulator/topologies/generated.ts';
import {
  builtinTopology,
  GENERATED_DEFAULT,
  NAMED_TOPOLOGIES,
  TOPOLOGY_NAMES,
} from '../../lambdas/simulator/topologies/index.ts';
import {
  CALL_DEFAULTS,
  type CallOverrides,
  compileTopology,
  MAX_TRAFFIC,
  parseTopologyJson,
  type TopologySpec,
} from '../../lambdas/simulator/topology.ts';
import { simulateTraceSummaries, traceSummaryJson } from '../../lambdas/simulator/trace-summaries.ts';
import { renderWhatIf, whatIf } from '../../lambdas/simulator/what-if.ts';
import type { Command } from './command.ts';
import { OutputFileError, writeOutputFile } from './output.ts';
import { readJsonFile } from './read-json.ts';
import { argsProblem, UsageError } from './usage-error.ts';

/** Snapshots of up to this many services are pretty-printed; larger ones are written compact. */
const PRETTY_MAX_SERVICES = 1000;

export const SIMULATE_HELP = `Usage: cascade-analyzer simulate --topology NAME|FILE [--fault SERVICE:KIND[:SEVERITY] …] [options]
       cascade-analyzer simulate --from-graph FILE --fault SERVICE:KIND[:SEVERITY] … [options]
       cascade-analyzer simulate --list [--topology NAME|FILE | --from-graph FILE]

Simulates what X-Ray would record when the given faults hit a system: a quiet baseline window and
the incident window, as a graph snapshot {"incident": …, "baseline": …} in the GetServiceGraph
shape, ready for "cascade-analyzer analyze --graph". With --from-graph, your own exported service
graph is the system (traffic from its counts) and the output is a what-if: the blast radius the
simulator predicts — services, entry points, share of user traffic — next to the engine's analysis
of the simulated incident.

Topology:
  --topology NAME|FILE   a shipped topology — ${TOPOLOGY_NAMES.slice(0, 4).join(', ')},
                         ${TOPOLOGY_NAMES.slice(4).join(', ')} (generated:N for N services) — or a topology
                         file (JSON, see docs/simulator.md)
  --services N           services of the generated topology, ${GENERATED_MIN}–${GENERATED_MAX} (default ${GENERATED_DEFAULT})
  --from-graph FILE      an exported service graph (aws xray get-service-graph output, a list of its
                         pages, or a snapshot, whose baseline is used) as the topology: what-if mode
  --list                 list the shipped topologies, or with --topology / --from-graph the
                         services of one (the names --fault takes)

Faults (repeat --fault for concurrent faults; they hit the incident window only):
  --fault SERVICE:KIND[:SEVERITY]
      error        5xx share of the service's own answers        (0–1 or %; default ${share(DEFAULT_SEVERITY.error)})
      latency      added time (300ms, 1.5s), a factor on the service's own time (x4),
                   or a slow tail (5%@2s: the slowest 5 % take 2 s longer)  (default x5)
      throttle     429 share at the usual load; retries make it worse  (default ${share(DEFAULT_SEVERITY.throttle)})
      unavailable  share of connections refused; 1 = down           (default ${share(DEFAULT_SEVERITY.unavailable)})
      saturation   utilisation at the usual load, ${SATURATION_RANGE[0]}–${SATURATION_RANGE[1]}: latency grows past 60 %,
                   requests are shed above 100 %                    (default 0.95)
      A failing external dependency is any of these on a "remote" service.

Behaviour of calls (every call of the topology; defaults in brackets):
  --pass-on SHARE        share of a callee's failures a caller passes on as its own 5xx; the rest it
                         absorbs (fallback) [per call, ${CALL_DEFAULTS.passOn} unless the topology says]
  --retries N            retries after a failed attempt (5xx, 429, refused, timeout)
                         [${CALL_DEFAULTS.retries} to services, ${CALL_DEFAULTS.awsRetries} to AWS services, unless the topology says]
  --timeout SECONDS      a caller abandons an attempt after this long and counts a fault, at most
                         3600 [${CALL_DEFAULTS.timeout} s unless the topology says]

Traffic and windows:
  --traffic RPS          users' requests per second at the entry points, at most ${MAX_TRAFFIC}
                         (default: the topology's)
  --seed N               seed of the background noise (traffic, latency, error rates); default 1.
                         The same inputs and seed give the same bytes.
  --start TIME           incident start, ISO-8601 or epoch seconds (default ${new Date(DEFAULT_START * 1000).toISOString()})
  --minutes M            incident window length, ${WINDOW_MINUTES.min}–${WINDOW_MINUTES.incident} (default ${DEFAULT_MINUTES})
  --baseline-minutes M   baseline window length, just before the incident, ${WINDOW_MINUTES.min}–${WINDOW_MINUTES.baseline}
                         (default ${DEFAULT_BASELINE_MINUTES})

Output:
  --out FILE             write the snapshot to FILE (without it, and without a what-if, the snapshot
                         goes to standard output). Up to ${PRETTY_MAX_SERVICES} services it is pretty-printed.
  --traces FILE          also write the incident's X-Ray trace summaries (a GetTraceSummaries
                         response: the faulty and slow traces, each with X-Ray's root cause) for
                         "analyze --traces"
  --pages N              split each window into N GetServiceGraph pages chained by NextToken
  --what-if              with --topology: print the what-if report (implied by --from-graph)
  --format FMT           what-if report: text (default) | json ({"whatIf": …, "finding": …})
  -h, --help             show this help

Examples:
  cascade-analyzer simulate --topology shop --fault api.payments.example.com:error:0.15 --out incident.json
  cascade-analyzer simulate --topology train-ticket --fault ts-order-service:latency:x4 --fault ts-station-service:error --out two.json
  cascade-analyzer simulate --topology generated --services 10000 --fault KMS:throttle --pages 5 --out big.json
  cascade-analyzer simulate --from-graph exported.json --fault api.payments.example.com:unavailable

Exit status: 0 done, 2 bad input (one line on standard error), 1 unexpected failure.
`;

function share(s: (typeof DEFAULT_SEVERITY)[keyof typeof DEFAULT_SEVERITY]): string {
  return s.mode === 'share' ? String(s.share) : '';
}

interface Args {
  topology?: string | undefined;
  'from-graph'?: string | undefined;
  fault?: string[] | undefined;
  services?: string | undefined;
  traffic?: string | undefined;
  seed?: string | undefined;
  pages?: string | undefined;
  out?: string | undefined;
  traces?: string | undefined;
  'what-if'?: boolean | undefined;
  format?: string | undefined;
  'pass-on'?: string | undefined;
  retries?: string | undefined;
  timeout?: string | undefined;
  start?: string | undefined;
  minutes?: string | undefined;
  'baseline-minutes'?: string | undefined;
  list?: boolean | undefined;
  help?: boolean | undefined;
}

function parse(args: readonly string[]): Args {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: {
        topology: { type: 'string' },
        'from-graph': { type: 'string' },
        fault: { type: 'string', multiple: true },
        services: { type: 'string' },
        traffic: { type: 'string' },
        seed: { type: 'string' },
        pages: { type: 'string' },
        out: { type: 'string' },
        traces: { type: 'string' },
        'what-if': { type: 'boolean' },
        format: { type: 'string' },
        'pass-on': { type: 'string' },
        retries: { type: 'string' },
        timeout: { type: 'string' },
        start: { type: 'string' },
        minutes: { type: 'string' },
        'baseline-minutes': { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new UsageError(`simulate: ${argsProblem(err)}`);
  }
}

export function runSimulate(argv: readonly string[]): number {
  const a = parse(argv);
  if (a.help) {
    process.stdout.write(SIMULATE_HELP);
    return 0;
  }
  try {
    return run(a);
  } catch (err) {
    if (err instanceof SimulationInputError) throw new UsageError(`simulate: ${err.message}`);
    throw err;
  }
}

function run(a: Args): number {
  if (a.list) {
    const listing =
      a.topology === undefined && a['from-graph'] === undefined
        ? listTopologies()
        : listServices(loadTopology(a).spec);
    process.stdout.write(listing);
    return 0;
  }
  if (a.topology !== undefined && a['from-graph'] !== undefined)
    throw new UsageError('simulate: give either --topology or --from-graph, not both');
  if (a.topology === undefined && a['from-graph'] === undefined)
    throw new UsageError(
      'simulate: --topology NAME|FILE or --from-graph FILE is required (see "cascade-analyzer simulate --help")',
    );
  const format = a.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`simulate: --format must be text or json, got "${format}"`);
  const faults: FaultSpec[] = (a.fault ?? []).map(parseFault);
  const whatIfMode = a['from-graph'] !== undefined || a['what-if'] === true;
  if (a['from-graph'] !== undefined && faults.length === 0)
    throw new UsageError(
      'simulate: --from-graph needs at least one --fault SERVICE:KIND[:SEVERITY] to ask "what if"',
    );
  if (a.format !== undefined && !whatIfMode)
    throw new UsageError('simulate: --format applies to the what-if report (--from-graph or --what-if)');
  const { spec, source } = loadTopology(a);
  const topo = compileTopology(spec, overrides(a));
  const options: SimulateOptions = {
    ...(a.traffic !== undefined
      ? { traffic: positive(a.traffic, '--traffic', 'a number of requests per second', MAX_TRAFFIC) }
      : {}),
    ...(a.seed !== undefined ? { seed: whole(a.seed, '--seed', 0, Number.MAX_SAFE_INTEGER) } : {}),
    ...(a.pages !== undefined ? { pages: whole(a.pages, '--pages', 1, Number.MAX_SAFE_INTEGER) } : {}),
    ...(a.start !== undefined ? { start: time(a.start) } : {}),
    ...(a.minutes !== undefined ? { minutes: positive(a.minutes, '--minutes', 'a number of minutes') } : {}),
    ...(a['baseline-minutes'] !== undefined
      ? { baselineMinutes: positive(a['baseline-minutes'], '--baseline-minutes', 'a number of minutes') }
      : {}),
  };

  let simulation: Simulation;
  if (whatIfMode) {
    const { report, simulation: sim } = whatIf(topo, faults, { ...options, source });
    simulation = sim;
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify({ whatIf: { topology: report.topology, prediction: report.prediction, engine: report.engine }, finding: report.finding }, null, 2)}\n`
        : // Names come from the user's graph or topology: neutralised, as analyze's report does.
          renderWhatIf(deepNeutralize(report) as typeof report),
    );
  } else {
    simulation = simulate(topo, { ...options, faults });
  }
  const text = snapshotText(simulation);
  if (a.traces !== undefined) {
    const traces = { TraceSummaries: simulateTraceSummaries(simulation).map(traceSummaryJson) };
    writeOut(a.traces, '--traces', `${JSON.stringify(traces, null, 2)}\n`);
  }
  if (a.out !== undefined) {
    writeOut(a.out, '--out', text);
    process.stderr.write(
      `cascade-analyzer: ${neutralizeText(`${summary(simulation, source)}; wrote ${a.out}`)}\n`,
    );
  } else if (!whatIfMode) {
    process.stdout.write(text);
  }
  return 0;
}

function writeOut(file: string, flag: string, text: string): void {
  try {
    writeOutputFile(file, text);
  } catch (err) {
    if (!(err instanceof OutputFileError)) throw err;
    throw new UsageError(`simulate: cannot write ${flag} file "${file}": ${err.message}`);
  }
}

function snapshotText(sim: Simulation): string {
  return sim.topology.n <= PRETTY_MAX_SERVICES
    ? `${JSON.stringify(sim.snapshot, null, 2)}\n`
    : `${JSON.stringify(sim.snapshot)}\n`;
}

function summary(sim: Simulation, source: string): string {
  const faults = sim.faults.length === 0 ? 'no faults' : sim.faults.map(describeFault).join('; ');
  const edges = sim.topology.e;
  return `simulated ${source} (${sim.topology.n} services, ${edges} calls, users ${sim.traffic} req/s, seed ${sim.seed}): ${faults}`;
}

function loadTopology(a: Args): { spec: TopologySpec; source: string } {
  const services =
    a.services !== undefined ? whole(a.services, '--services', GENERATED_MIN, GENERATED_MAX) : undefined;
  if (a['from-graph'] !== undefined) {
    if (services !== undefined)
      throw new UsageError('simulate: --services applies to the generated topology only');
    const file = a['from-graph'];
    const json = readJson(file, 'graph');
    try {
      const t = topologyFromGraph(json, basename(file));
      const spec = { ...t.spec, listWith: `--from-graph ${quote(file)}` };
      const which =
        t.window === 'baseline'
          ? 'its baseline window'
          : t.window === 'incident'
            ? 'its incident window'
            : 'the graph';
      return { spec, source: `${file} (${which})` };
    } catch (err) {
      if (err instanceof GraphInputError) throw new UsageError(`simulate: ${file}: ${err.message}`);
      if (err instanceof SimulationInputError) throw new UsageError(`simulate: ${file}: ${err.message}`);
      throw err;
    }
  }
  const name = a.topology as string;
  const looksLikeFile =
    name.endsWith('.json') || name.includes('/') || (!TOPOLOGY_NAMES.includes(name) && existsSync(name));
  if (!looksLikeFile || /^generated(:\d+)?$/.test(name)) {
    const spec = builtinTopology(name, services);
    return { spec, source: `topology ${spec.name}` };
  }
  if (services !== undefined)
    throw new UsageError('simulate: --services applies to the generated topology only');
  const json = readJson(name, 'topology');
  try {
    const spec = { ...parseTopologyJson(json), listWith: `--topology ${quote(name)}` };
    compileTopology(spec);
    return { spec, source: `topology file ${name}` };
  } catch (err) {
    if (err instanceof SimulationInputError) throw new UsageError(`simulate: ${name}: ${err.message}`);
    throw err;
  }
}

const quote = (s: string) => (/^[A-Za-z0-9._:/@-]+$/.test(s) ? s : JSON.stringify(s));

function readJson(file: string, what: string): unknown {
  return readJsonFile(file, { context: 'simulate: ', what });
}

function overrides(a: Args): CallOverrides {
  const out: { passOn?: number; retries?: number; timeout?: number } = {};
  if (a['pass-on'] !== undefined) {
    const v = Number(a['pass-on']);
    if (a['pass-on'].trim() === '' || !(v >= 0 && v <= 1))
      throw new UsageError(`simulate: --pass-on must be a share from 0 to 1, got "${a['pass-on']}"`);
    out.passOn = v;
  }
  if (a.retries !== undefined) out.retries = whole(a.retries, '--retries', 0, 10);
  if (a.timeout !== undefined) out.timeout = positive(a.timeout, '--timeout', 'a number of seconds', 3600);
  return out;
}

function whole(raw: string, what: string, lo: number, hi: number): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(v) || v < lo || v > hi) {
    throw new UsageError(
      `simulate: ${what} must be a whole number from ${lo}${hi < Number.MAX_SAFE_INTEGER ? ` to ${hi}` : ' up'}, got "${raw}"`,
    );
  }
  return v;
}

function positive(raw: string, what: string, unit: string, max = Number.MAX_VALUE): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v <= 0 || v > max)
    throw new UsageError(
      `simulate: ${what} must be ${unit} above 0${max < Number.MAX_VALUE ? ` and at most ${max}` : ''}, got "${raw}"`,
    );
  return v;
}

function time(raw: string): number {
  const asNumber = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(asNumber)) return asNumber;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw new UsageError(`simulate: --start must be ISO-8601 or epoch seconds, got "${raw}"`);
  return Math.floor(ms / 1000);
}

function listTopologies(): string {
  const rows = NAMED_TOPOLOGIES.map(
    (t) => [t.name, String(t.services.length), neutralizeText(t.description)] as const,
  );
  rows.push([
    'generated',
    `${GENERATED_MIN}–${GENERATED_MAX}`,
    'generated estates of N services (--services N or generated:N)',
  ]);
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return `${'topology'.padEnd(w)}${'services'.padEnd(11)}description\n${rows
    .map(([n, c, d]) => `${n.padEnd(w)}${c.padEnd(11)}${d}`)
    .join('\n')}\n`;
}

/** The services of a topology; names from a file or graph are neutralised, so none can forge a row. */
function listServices(spec: TopologySpec): string {
  const topo = compileTopology(spec);
  const labels = topo.labels.map(neutralizeText);
  const w = Math.min(60, Math.max(...labels.map((l) => l.length))) + 2;
  const lines = [
    neutralizeText(`${spec.name}: ${spec.description}`),
    '',
    `${'service'.padEnd(w)}${'type'.padEnd(24)}calls  entry`,
  ];
  for (let v = 0; v < topo.n; v++) {
    const calls = (topo.outStart[v + 1] ?? 0) - (topo.outStart[v] ?? 0);
    const entry = (topo.entry[v] ?? 0) > 0 ? `${((topo.entry[v] ?? 0) * 100).toFixed(0)} % of users` : '';
    lines.push(
      `${(labels[v] as string).padEnd(w)}${neutralizeText(topo.types[v] as string).padEnd(24)}${String(calls).padEnd(7)}${entry}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'simulate the X-Ray graphs of an incident (faults in a topology) or a what-if on your own graph',
  help: SIMULATE_HELP,
  run: runSimulate,
};
