// Topologies: which services a system has, who calls whom and how (calls per request, timeouts,
// retries, how much of a callee's failure a caller passes on), and how each behaves when healthy.
// `compileTopology` checks a spec and turns it into flat arrays the physics can run over fast.

import { z } from 'zod';
import { isInferredType } from '../core/parse.ts';
import { SimulationInputError, suggest } from './errors.ts';

export interface LatencySpec {
  /** Seconds. */
  readonly median: number;
  readonly p99: number;
}

export interface CallSpec {
  /** The callee's name. */
  readonly to: string;
  /** Mean calls per request the caller serves; below 1, that share of requests makes the call. */
  readonly perRequest: number;
  /** Asynchronous (X-Ray `EdgeType: link`, e.g. a queue delivering to its consumer): nobody waits. */
  readonly async?: boolean | undefined;
  /** Seconds after which the caller gives up on one attempt and counts it as a fault. */
  readonly timeout?: number | undefined;
  /** Extra attempts after a failed one (5xx, 429, refused connection, timeout). */
  readonly retries?: number | undefined;
  /** Share (0–1) of calls that still fail after retries which the caller turns into its own 5xx; the rest it absorbs (fallback, cached answer, degraded page). */
  readonly passOn?: number | undefined;
}

export interface NoiseSpec {
  /** Own background 5xx rate in both windows. */
  readonly faults?: number | undefined;
  /** Own background 4xx rate (other than 429). */
  readonly errors?: number | undefined;
  /** Own background 429 rate. */
  readonly throttles?: number | undefined;
  /** Spread (log-normal σ) of the latency level from one window to the next. */
  readonly latency?: number | undefined;
}

export interface ServiceSpec {
  /** As X-Ray names it. Unique within the topology. */
  readonly name: string;
  /** X-Ray Type: `AWS::ECS::Container`, `AWS::Lambda::Function`, `AWS::DynamoDB::Table`, `Database::SQL`, `remote`… */
  readonly type: string;
  /** Share of the users' requests that arrive here (entry points only; normalized over all entries). */
  readonly entry?: number | undefined;
  /** Own processing time; for inferred back ends (tables, queues, `remote`) the whole response time. */
  readonly latency: LatencySpec;
  readonly noise?: NoiseSpec | undefined;
  /** Utilisation (0–1) at the topology's default traffic; latency grows past 60 %. */
  readonly utilisation?: number | undefined;
  readonly calls?: readonly CallSpec[] | undefined;
}

export interface CallDefaults {
  /** Seconds. */
  readonly timeout: number;
  /** Retries on calls to other services and external APIs. */
  readonly retries: number;
  /** Retries on calls to AWS services (`AWS::…` types): the AWS SDK's standard mode makes 3 attempts. */
  readonly awsRetries: number;
  readonly passOn: number;
  /** Mean seconds a caller waits before a retry. */
  readonly backoff: number;
}

export interface TopologySpec {
  readonly name: string;
  readonly description: string;
  /** Where the architecture comes from (a public repository or paper). */
  readonly source?: string | undefined;
  /** Users' requests per second at the entry points, by default. */
  readonly traffic: number;
  readonly defaults?: { readonly [K in keyof CallDefaults]?: CallDefaults[K] | undefined } | undefined;
  readonly services: readonly ServiceSpec[];
  /** How to list this topology's services on the command line (`--topology NAME` unless said). */
  readonly listWith?: string | undefined;
}

export const CALL_DEFAULTS: CallDefaults = {
  timeout: 3,
  retries: 0,
  awsRetries: 2,
  passOn: 0.9,
  backoff: 0.05,
};

/** Background noise of a service whose spec gives none. */
export const NOISE_DEFAULTS = { faults: 0.0005, errors: 0.003, throttles: 0, latency: 0.03 } as const;
/** Utilisation of a service whose spec gives none; AWS-managed back ends scale on their own. */
export const UTILISATION_DEFAULT = 0.3;
export const UTILISATION_AWS = 0.05;

/**
 * Users' requests per second, at most: above any real estate's entry traffic, far below where the
 * physics overflows (at 1e308 it gave NaN).
 */
export const MAX_TRAFFIC = 10_000_000;

/** Per-run overrides from the command line, applied to every call. */
export interface CallOverrides {
  readonly passOn?: number | undefined;
  readonly retries?: number | undefined;
  readonly timeout?: number | undefined;
}

/** A checked topology as flat arrays: services 0…n−1, calls 0…e−1 grouped by caller. */
export interface CompiledTopology {
  readonly spec: TopologySpec;
  readonly name: string;
  readonly n: number;
  readonly names: readonly string[];
  readonly types: readonly string[];
  /** Unique labels: the name, or `name [type]` when a name has several types (from exported graphs). */
  readonly labels: readonly string[];
  readonly inferred: Uint8Array;
  /** Normalized share of user traffic per service (0 for non-entries). */
  readonly entry: Float64Array;
  readonly median: Float64Array;
  readonly p99: Float64Array;
  readonly noiseFaults: Float64Array;
  readonly noiseErrors: Float64Array;
  readonly noiseThrottles: Float64Array;
  readonly wobble: Float64Array;
  readonly utilisation: Float64Array;
  readonly e: number;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly perRequest: Float64Array;
  readonly async: Uint8Array;
  readonly timeout: Float64Array;
  readonly retries: Int32Array;
  readonly passOn: Float64Array;
  readonly backoff: Float64Array;
  /**
   * 1 for a call to an AWS service through the SDK: its retries happen inside one SDK call, which
   * X-Ray records as one subsegment (with a retry count), so the edge and the inferred node count
   * calls, not attempts, and a call's time includes its retries and backoff.
   */
  readonly sdk: Uint8Array;
  /** Calls of service v are outStart[v] … outStart[v+1]−1. */
  readonly outStart: Int32Array;
  /** Incoming calls of service v: inList[inStart[v] … inStart[v+1]−1] (call indices). */
  readonly inStart: Int32Array;
  readonly inList: Int32Array;
  /** Callers before callees (reverse DFS post-order from the entry points). */
  readonly order: Int32Array;
  /** 1 for a call that closes a cycle: it is resolved across iterations, not in one pass. */
  readonly back: Uint8Array;
  readonly traffic: number;
  /** Service index by label and by name (a name may map to several). */
  readonly byLabel: ReadonlyMap<string, number>;
  readonly byName: ReadonlyMap<string, readonly number[]>;
}

export function compileTopology(spec: TopologySpec, overrides: CallOverrides = {}): CompiledTopology {
  const n = spec.services.length;
  if (n === 0) throw new SimulationInputError(`topology "${spec.name}": no services`);
  if (!(spec.traffic > 0 && spec.traffic <= MAX_TRAFFIC))
    throw new SimulationInputError(
      `topology "${spec.name}": traffic must be above 0 and at most ${MAX_TRAFFIC}, got ${spec.traffic}`,
    );
  const d = { ...CALL_DEFAULTS, ...definedOnly(spec.defaults ?? {}) } as CallDefaults;
  const names = spec.services.map((s) => s.name);
  const types = spec.services.map((s) => s.type);
  const byName = new Map<string, number[]>();
  names.forEach((name, i) => {
    byName.set(name, [...(byName.get(name) ?? []), i]);
  });
  const labels = names.map((name, i) =>
    (byName.get(name)?.length ?? 0) > 1 ? `${name} [${types[i]}]` : name,
  );
  const byLabel = new Map<string, number>();
  labels.forEach((l, i) => {
    if (byLabel.has(l)) throw new SimulationInputError(`topology "${spec.name}": service "${l}" twice`);
    byLabel.set(l, i);
  });
  const resolve = (name: string, from: string): number => {
    const exact = byLabel.get(name);
    if (exact !== undefined) return exact;
    const list = byName.get(name);
    if (list && list.length > 0) return list[0] as number;
    const close = suggest(name, labels);
    throw new SimulationInputError(
      `topology "${spec.name}": ${from} calls unknown service "${name}"` +
        (close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : ''),
    );
  };

  const inferred = new Uint8Array(n);
  const entry = new Float64Array(n);
  const median = new Float64Array(n);
  const p99 = new Float64Array(n);
  const noiseFaults = new Float64Array(n);
  const noiseErrors = new Float64Array(n);
  const noiseThrottles = new Float64Array(n);
  const wobble = new Float64Array(n);
  const utilisation = new Float64Array(n);
  let entryTotal = 0;
  const calls: { from: number; c: CallSpec }[] = [];
  spec.services.forEach((s, i) => {
    const where = `topology "${spec.name}", service "${s.name}"`;
    if (!s.name) throw new SimulationInputError(`topology "${spec.name}": a service without a name`);
    if (s.type === 'client')
      throw new SimulationInputError(
        `${where}: "client" nodes are made for entry points; give "entry" instead`,
      );
    inferred[i] = isInferredType(s.type) ? 1 : 0;
    if (!(s.latency.median > 0 && s.latency.p99 >= s.latency.median)) {
      throw new SimulationInputError(`${where}: latency needs 0 < median ≤ p99`);
    }
    median[i] = s.latency.median;
    p99[i] = s.latency.p99;
    const e = s.entry ?? 0;
    if (!(e >= 0)) throw new SimulationInputError(`${where}: entry share must be ≥ 0`);
    if (e > 0 && inferred[i])
      throw new SimulationInputError(`${where}: an inferred ${s.type} node cannot be an entry point`);
    entry[i] = e;
    entryTotal += e;
    const noise = s.noise ?? {};
    noiseFaults[i] = noise.faults ?? NOISE_DEFAULTS.faults;
    noiseErrors[i] = noise.errors ?? (inferred[i] ? 0 : NOISE_DEFAULTS.errors);
    noiseThrottles[i] = noise.throttles ?? NOISE_DEFAULTS.throttles;
    wobble[i] = noise.latency ?? NOISE_DEFAULTS.latency;
    if ((noiseFaults[i] ?? 0) + (noiseErrors[i] ?? 0) + (noiseThrottles[i] ?? 0) >= 1)
      throw new SimulationInputError(`${where}: noise rates add up to 1 or more`);
    utilisation[i] = s.utilisation ?? (isAwsManaged(s.type) ? UTILISATION_AWS : UTILISATION_DEFAULT);
    if (!((utilisation[i] ?? 0) > 0 && (utilisation[i] ?? 0) < 1))
      throw new SimulationInputError(`${where}: utilisation must be between 0 and 1`);
    for (const c of s.calls ?? []) calls.push({ from: i, c });
  });
  if (entryTotal <= 0)
    throw new SimulationInputError(`topology "${spec.name}": no entry point (give a service "entry": 1)`);
  for (let i = 0; i < n; i++) entry[i] = (entry[i] ?? 0) / entryTotal;

  const e = calls.length;
  const from = new Int32Array(e);
  const to = new Int32Array(e);
  const perRequest = new Float64Array(e);
  const async = new Uint8Array(e);
  const timeout = new Float64Array(e);
  const retries = new Int32Array(e);
  const passOn = new Float64Array(e);
  const backoff = new Float64Array(e);
  const sdk = new Uint8Array(e);
  const outStart = new Int32Array(n + 1);
  const seen = new Set<number>();
  calls.forEach(({ from: f, c }, k) => {
    const callerName = labels[f] as string;
    const t = resolve(c.to, `"${callerName}"`);
    const where = `topology "${spec.name}", call ${callerName} → ${labels[t]}`;
    if (t === f) throw new SimulationInputError(`${where}: a service cannot call itself`);
    if (seen.has(f * n + t)) throw new SimulationInputError(`${where}: listed twice`);
    seen.add(f * n + t);
    if (!(c.perRequest > 0)) throw new SimulationInputError(`${where}: perRequest must be > 0`);
    from[k] = f;
    to[k] = t;
    perRequest[k] = c.perRequest;
    async[k] = c.async ? 1 : 0;
    const aws = isAwsManaged(types[t] ?? '');
    sdk[k] = aws ? 1 : 0;
    timeout[k] = overrides.timeout ?? c.timeout ?? d.timeout;
    retries[k] = overrides.retries ?? c.retries ?? (aws ? d.awsRetries : d.retries);
    passOn[k] = overrides.passOn ?? c.passOn ?? d.passOn;
    backoff[k] = d.backoff;
    if (!((timeout[k] ?? 0) > 0)) throw new SimulationInputError(`${where}: timeout must be > 0`);
    if (!((passOn[k] ?? 0) >= 0 && (passOn[k] ?? 0) <= 1))
      throw new SimulationInputError(`${where}: passOn must be between 0 and 1`);
    const r = retries[k] ?? 0;
    if (!(r >= 0 && r <= 10)) throw new SimulationInputError(`${where}: retries must be 0–10`);
    outStart[f + 1] = (outStart[f + 1] ?? 0) + 1;
  });
  for (let i = 0; i < n; i++) outStart[i + 1] = (outStart[i + 1] ?? 0) + (outStart[i] ?? 0);
  // Calls were collected service by service, so they are already grouped by caller in order.

  const inCount = new Int32Array(n + 1);
  for (let k = 0; k < e; k++) inCount[(to[k] ?? 0) + 1] = (inCount[(to[k] ?? 0) + 1] ?? 0) + 1;
  const inStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) inStart[i + 1] = (inStart[i] ?? 0) + (inCount[i + 1] ?? 0);
  const fill = inStart.slice(0, n);
  const inList = new Int32Array(e);
  for (let k = 0; k < e; k++) {
    const t = to[k] ?? 0;
    inList[fill[t] ?? 0] = k;
    fill[t] = (fill[t] ?? 0) + 1;
  }

  const { order, back } = callOrder(n, e, to, outStart, entry);
  checkCallVolume(spec.name, labels, { n, order, outStart, to, perRequest, retries, back, entry });
  return {
    spec,
    name: spec.name,
    n,
    names,
    types,
    labels,
    inferred,
    entry,
    median,
    p99,
    noiseFaults,
    noiseErrors,
    noiseThrottles,
    wobble,
    utilisation,
    e,
    from,
    to,
    perRequest,
    async,
    timeout,
    retries,
    passOn,
    backoff,
    sdk,
    outStart,
    inStart,
    inList,
    order,
    back,
    traffic: spec.traffic,
    byLabel,
    byName,
  };
}

/**
 * Attempts per user request that may reach one service, at most (every call's perRequest and, when
 * every attempt fails, its retries, multiplied along the call chains). The shipped topologies stay
 * under 12; a file with deep chains of `perRequest: 1000` overflowed the physics to NaN.
 */
export const MAX_ATTEMPTS_PER_REQUEST = 1_000_000;

function checkCallVolume(
  name: string,
  labels: readonly string[],
  t: {
    n: number;
    order: Int32Array;
    outStart: Int32Array;
    to: Int32Array;
    perRequest: Float64Array;
    retries: Int32Array;
    back: Uint8Array;
    entry: Float64Array;
  },
): void {
  const load = new Float64Array(t.n);
  let backIn = new Float64Array(t.n);
  // Cycles feed back through their closing calls, round after round; a growing loop hits the cap.
  for (let round = 0; round < 50; round++) {
    for (let v = 0; v < t.n; v++) load[v] = (t.entry[v] ?? 0) + (backIn[v] ?? 0);
    const next = new Float64Array(t.n);
    for (const v of t.order) {
      for (let k = t.outStart[v] ?? 0; k < (t.outStart[v + 1] ?? 0); k++) {
        const w = t.to[k] ?? 0;
        const a = (load[v] ?? 0) * (t.perRequest[k] ?? 0) * (1 + (t.retries[k] ?? 0));
        if (t.back[k]) next[w] = (next[w] ?? 0) + a;
        else load[w] = (load[w] ?? 0) + a;
      }
    }
    let worst = 0;
    for (let v = 1; v < t.n; v++) if (!((load[v] ?? 0) <= (load[worst] ?? 0))) worst = v;
    const most = load[worst] ?? 0;
    if (!(most <= MAX_ATTEMPTS_PER_REQUEST)) {
      throw new SimulationInputError(
        `topology "${name}": up to ${Number.isFinite(most) ? most.toExponential(1) : 'over 1e308'} attempts per user request would reach ${labels[worst]} (perRequest and retries multiplied along the call chains); at most ${MAX_ATTEMPTS_PER_REQUEST} are simulated`,
      );
    }
    let change = 0;
    for (let v = 0; v < t.n; v++) change = Math.max(change, Math.abs((next[v] ?? 0) - (backIn[v] ?? 0)));
    backIn = next;
    if (change < 1e-9) return;
  }
}

/** Iterative DFS from the entry points, then from every other service: stack-safe at 20,000 services. */
function callOrder(
  n: number,
  e: number,
  to: Int32Array,
  outStart: Int32Array,
  entry: Float64Array,
): { order: Int32Array; back: Uint8Array } {
  const state = new Uint8Array(n);
  const back = new Uint8Array(e);
  const post: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < n; i++) if ((entry[i] ?? 0) > 0) starts.push(i);
  for (let i = 0; i < n; i++) starts.push(i);
  const stackV: number[] = [];
  const stackK: number[] = [];
  for (const s of starts) {
    if (state[s] !== 0) continue;
    state[s] = 1;
    stackV.push(s);
    stackK.push(outStart[s] ?? 0);
    while (stackV.length > 0) {
      const top = stackV.length - 1;
      const v = stackV[top] as number;
      const k = stackK[top] as number;
      if (k < (outStart[v + 1] ?? 0)) {
        stackK[top] = k + 1;
        const w = to[k] ?? 0;
        if (state[w] === 1) back[k] = 1;
        else if (state[w] === 0) {
          state[w] = 1;
          stackV.push(w);
          stackK.push(outStart[w] ?? 0);
        }
      } else {
        state[v] = 2;
        post.push(v);
        stackV.pop();
        stackK.pop();
      }
    }
  }
  return { order: Int32Array.from(post.reverse()), back };
}

/** An AWS service called through the SDK (DynamoDB, SQS, S3…), as opposed to compute that runs on AWS. */
export function isAwsManaged(type: string): boolean {
  return type.startsWith('AWS::') && isInferredType(type);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---------------------------------------------------------------------------------------------
// Topology files (`--topology FILE`)

const share = z.number().min(0).max(1);
const latencySchema = z
  .object({ median: z.number().positive().max(3600), p99: z.number().positive().max(3600) })
  .strict()
  .refine((l) => l.p99 >= l.median, { message: 'p99 must be ≥ median' });
const callSchema = z
  .object({
    to: z.string().min(1),
    perRequest: z.number().positive().max(1000),
    async: z.boolean().optional(),
    timeout: z.number().positive().max(3600).optional(),
    retries: z.number().int().min(0).max(10).optional(),
    passOn: share.optional(),
  })
  .strict();
const serviceSchema = z
  .object({
    name: z.string().min(1),
    type: z
      .string()
      .min(1)
      .refine((t) => t !== 'client', {
        message: '"client" nodes are made for entry points; give "entry" instead',
      }),
    entry: z.number().positive().max(1e6).optional(),
    latency: latencySchema,
    noise: z
      .object({
        faults: share.optional(),
        errors: share.optional(),
        throttles: share.optional(),
        latency: z.number().min(0).max(2).optional(),
      })
      .strict()
      .optional(),
    utilisation: z.number().gt(0).lt(1).optional(),
    calls: z.array(callSchema).optional(),
  })
  .strict();
const topologySchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    source: z.string().optional(),
    traffic: z.number().positive().max(MAX_TRAFFIC),
    defaults: z
      .object({
        timeout: z.number().positive().max(3600).optional(),
        retries: z.number().int().min(0).max(10).optional(),
        awsRetries: z.number().int().min(0).max(10).optional(),
        passOn: share.optional(),
        backoff: z.number().min(0).max(60).optional(),
      })
      .strict()
      .optional(),
    services: z.array(serviceSchema).min(1),
  })
  .strict();

/** Reads a topology file's JSON; the error names the field, e.g. `services[2].calls[0].perRequest`. */
export function parseTopologyJson(json: unknown): TopologySpec {
  const parsed = topologySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
    throw new SimulationInputError(
      `${path.replace(/^\./, '') || 'topology'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const t = parsed.data;
  return { ...t, description: t.description ?? `topology from a file: ${t.name}` };
}
