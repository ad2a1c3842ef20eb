// Scenarios the local runtime can replay: a graph snapshot and the service whose alarm fires.
// Providers are pluggable — the bundled examples now, the simulator's generated incidents once it
// lands (it implements `ScenarioProvider` and is added to the list the `demo` command combines).

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseSnapshot } from '../core/parse.ts';
import { InputFileError, readInputFile } from './input-file.ts';
import { readSnapshotDocument, type SnapshotDocument } from './replay.ts';
import type { EvidenceRecording } from './replay-evidence.ts';

export interface Scenario {
  readonly name: string;
  /** One line for the terminal. */
  readonly description: string;
  /** What the local X-Ray endpoint replays. */
  readonly snapshot: SnapshotDocument;
  /** The service whose CloudWatch alarm goes to ALARM and starts the workflow. */
  readonly alarmedService: string;
  /** Where the graph came from (a file, a generator), for the terminal. */
  readonly source: string;
  /** The root cause the scenario was built around, when it is known (generated scenarios know it). */
  readonly expectedRootCause?: string;
  /** Trace summaries, exemplar traces and change events recorded with the graph; derived from it when absent. */
  readonly evidence?: EvidenceRecording;
}

export interface ScenarioProvider {
  /** The scenario names this provider knows, for help texts and "unknown scenario" messages. */
  names(): readonly string[];
  /** The scenario called `name`, or undefined when this provider does not know it. */
  scenario(name: string): Promise<Scenario | undefined>;
}

/** Bad scenario input: an unknown name, an unreadable or malformed graph file. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** The shop incident of the README and docs/getting-started.md: frontend's alarm, the external payment API at fault. */
export const SHOP_EXAMPLE = resolve(REPO_ROOT, 'examples/shop-incident.json');

/** The shop incident's evidence (examples/make-shop-evidence.ts): X-Ray traces and CloudTrail changes. */
const SHOP_EVIDENCE = {
  traces: resolve(REPO_ROOT, 'examples/shop-traces.json'),
  exemplars: resolve(REPO_ROOT, 'examples/shop-exemplars.json'),
  changes: resolve(REPO_ROOT, 'examples/shop-changes.json'),
};

/** The scenarios shipped in examples/. */
export const exampleScenarios: ScenarioProvider = {
  names: () => ['shop'],
  async scenario(name) {
    if (name !== 'shop') return undefined;
    const s = await scenarioFromGraphFile(SHOP_EXAMPLE, { name: 'shop', service: 'frontend' });
    const read = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));
    return {
      ...s,
      evidence: {
        traces: await read(SHOP_EVIDENCE.traces),
        exemplars: await read(SHOP_EVIDENCE.exemplars),
        changes: await read(SHOP_EVIDENCE.changes),
        recordedEnd: Number(s.snapshot.incident.EndTime),
      },
      description:
        'the shop cascade: frontend → order-service → payment-service → an external payment API failing 15 % of calls',
      expectedRootCause: 'api.payments.example.com',
    };
  },
};

/** The first provider that knows a name wins. */
export function combineScenarioProviders(...providers: readonly ScenarioProvider[]): ScenarioProvider {
  return {
    names: () => [...new Set(providers.flatMap((p) => p.names()))],
    async scenario(name) {
      for (const p of providers) {
        const s = await p.scenario(name);
        if (s !== undefined) return s;
      }
      return undefined;
    },
  };
}

export async function findScenario(provider: ScenarioProvider, name: string): Promise<Scenario> {
  const s = await provider.scenario(name);
  if (s === undefined) {
    throw new ScenarioError(`unknown scenario "${name}"; known: ${provider.names().join(', ') || 'none'}`);
  }
  return s;
}

/**
 * A scenario from an exported graph: `{incident, baseline}`, a bare GetServiceGraph response or a
 * list of its pages. The alarmed service is `service` when given, else the one an alarm would fire
 * on (`alarmedServiceOf`). Errors name the file and the field.
 */
export async function scenarioFromGraphFile(
  file: string,
  options: { readonly name?: string; readonly service?: string } = {},
): Promise<Scenario> {
  let text: string;
  try {
    text = readInputFile(file);
  } catch (err) {
    if (err instanceof InputFileError) throw new ScenarioError(`cannot read "${file}": ${err.message}`);
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return scenarioFromJson(json, { ...options, source: file });
}

export function scenarioFromJson(
  json: unknown,
  options: { readonly name?: string; readonly service?: string; readonly source: string },
): Scenario {
  let snapshot: SnapshotDocument;
  try {
    // The engine's parser names the bad field; the pipeline must not be the first to find out.
    parseSnapshot(json);
    snapshot = readSnapshotDocument(json);
  } catch (err) {
    throw new ScenarioError(`${options.source}: ${(err as Error).message}`);
  }
  const alarmedService = options.service ?? alarmedServiceOf(snapshot);
  if (alarmedService === undefined) {
    throw new ScenarioError(
      `${options.source}: the incident graph has no services, so no alarm would fire; pass --service NAME`,
    );
  }
  const count = (snapshot.incident.Services as unknown[]).length;
  return {
    name: options.name ?? options.source,
    description: `${count} services${snapshot.baseline === undefined ? ', no baseline window' : ''}`,
    snapshot,
    alarmedService,
    source: options.source,
  };
}

/**
 * A scenario from generated windows whose root cause is known (the simulator, bench/synthetic.ts):
 * the alarm fires on an entry point that calls the root cause.
 */
export function scenarioFromGenerated(generated: {
  readonly name: string;
  readonly incident: unknown;
  readonly baseline: unknown;
  readonly rootCause: string;
  readonly description?: string;
}): Scenario {
  const snapshot = readSnapshotDocument({ incident: generated.incident, baseline: generated.baseline });
  const alarmedService = alarmedServiceOf(snapshot, { reaching: generated.rootCause });
  if (alarmedService === undefined) {
    throw new ScenarioError(`${generated.name}: no entry point calls the root cause ${generated.rootCause}`);
  }
  const count = (snapshot.incident.Services as unknown[]).length;
  return {
    name: generated.name,
    description: generated.description ?? `${count} services, root cause ${generated.rootCause}`,
    snapshot,
    alarmedService,
    source: 'generated',
    expectedRootCause: generated.rootCause,
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * The service whose fault-rate alarm would fire: among the entry points (services `client` nodes
 * call, or marked Root), the one whose fault share rose most from the baseline window to the
 * incident window (the absolute share without a baseline), ties to the busier then the
 * alphabetically first. With `reaching`, only entry points that call that service, directly or
 * not, qualify (a generator that planted a root cause knows which alarms it can set off). Any
 * service when the graph has no entry point; undefined for an empty graph or when none qualifies.
 */
export function alarmedServiceOf(
  snapshot: SnapshotDocument,
  options: { readonly reaching?: string } = {},
): string | undefined {
  const services = (snapshot.incident.Services as unknown[]).filter(isObj);
  const entryRefs = new Set<unknown>();
  for (const s of services) {
    if (s.Type !== 'client') continue;
    for (const e of edgesOf(s)) entryRefs.add(e.ReferenceId);
  }
  const candidates = services.filter((s) => s.Type !== 'client' && typeof s.Name === 'string');
  const entries = candidates.filter((s) => entryRefs.has(s.ReferenceId) || s.Root === true);
  let pool = entries.length > 0 ? entries : candidates;
  if (options.reaching !== undefined) {
    const callers = ancestorsOf(services, options.reaching);
    pool = pool.filter((s) => callers.has(s.ReferenceId));
  }
  const before = new Map<string, number>();
  for (const s of (snapshot.baseline?.Services as unknown[] | undefined) ?? []) {
    if (isObj(s) && s.Type !== 'client' && typeof s.Name === 'string') before.set(s.Name, faultShare(s).rate);
  }
  const scored = pool.map((s) => {
    const { rate, total } = faultShare(s);
    return { name: s.Name as string, rise: rate - (before.get(s.Name as string) ?? 0), total };
  });
  scored.sort(
    (a, b) => b.rise - a.rise || b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return scored[0]?.name;
}

function faultShare(s: Obj): { rate: number; total: number } {
  const stats = isObj(s.SummaryStatistics) ? s.SummaryStatistics : {};
  const total = num(stats.TotalCount);
  const faults = isObj(stats.FaultStatistics) ? num(stats.FaultStatistics.TotalCount) : 0;
  return { rate: total > 0 ? faults / total : 0, total };
}

function edgesOf(s: Obj): Obj[] {
  return (Array.isArray(s.Edges) ? s.Edges : []).filter(isObj);
}

/** Reference ids of every service that calls a service named `name`, directly or through others. */
function ancestorsOf(services: readonly Obj[], name: string): Set<unknown> {
  const callersOf = new Map<unknown, unknown[]>();
  for (const s of services) {
    for (const e of edgesOf(s)) {
      const list = callersOf.get(e.ReferenceId);
      if (list === undefined) callersOf.set(e.ReferenceId, [s.ReferenceId]);
      else list.push(s.ReferenceId);
    }
  }
  const seen = new Set<unknown>();
  const queue = services.filter((s) => s.Name === name).map((s) => s.ReferenceId);
  while (queue.length > 0) {
    const ref = queue.pop();
    for (const caller of callersOf.get(ref) ?? []) {
      if (!seen.has(caller)) {
        seen.add(caller);
        queue.push(caller);
      }
    }
  }
  return seen;
}
