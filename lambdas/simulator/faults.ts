// Faults as the command line names them: SERVICE:KIND[:SEVERITY]. Parsing checks the syntax and
// that the severity is possible; defaults are what an incident of that kind typically looks like.

import { SimulationInputError, suggest } from './errors.ts';
import type { CompiledTopology } from './topology.ts';

export const FAULT_KINDS = ['error', 'latency', 'throttle', 'unavailable', 'saturation'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type Severity =
  /** error: share of requests answered 5xx; throttle: share answered 429 at the usual load; unavailable: share of connections refused. */
  | { readonly mode: 'share'; readonly share: number }
  /** latency: every request takes `seconds` longer. */
  | { readonly mode: 'add'; readonly seconds: number }
  /** latency: the service's own time × `factor`. */
  | { readonly mode: 'scale'; readonly factor: number }
  /** latency: the slowest `share` of requests take `seconds` longer. */
  | { readonly mode: 'tail'; readonly share: number; readonly seconds: number }
  /** saturation: utilisation at the incident's usual load (1 = at capacity). */
  | { readonly mode: 'utilisation'; readonly utilisation: number };

/** A fault as written, before the topology is known. */
export interface FaultSpec {
  readonly service: string;
  readonly kind: FaultKind;
  readonly severity: Severity;
  /** As given on the command line. */
  readonly text: string;
}

/** A fault bound to a service of a compiled topology. */
export interface Fault extends FaultSpec {
  readonly index: number;
  /** The service's label in the topology (its name, unless several types share it). */
  readonly label: string;
}

export const DEFAULT_SEVERITY: Readonly<Record<FaultKind, Severity>> = {
  error: { mode: 'share', share: 0.2 },
  latency: { mode: 'scale', factor: 5 },
  throttle: { mode: 'share', share: 0.3 },
  unavailable: { mode: 'share', share: 1 },
  saturation: { mode: 'utilisation', utilisation: 0.95 },
};

/** Saturation below the knee of the latency curve (60 % busy) would change nothing. */
export const SATURATION_RANGE = [0.7, 5] as const;

const SYNTAX = `expected SERVICE:KIND[:SEVERITY] with KIND one of ${FAULT_KINDS.join(', ')}`;

/** Parses one `--fault` value. Service names may contain colons: the kind is found from the right. */
export function parseFault(text: string): FaultSpec {
  const parts = text.split(':');
  const isKind = (s: string | undefined): s is FaultKind => FAULT_KINDS.includes(s as FaultKind);
  let kindAt = -1;
  if (parts.length >= 2 && isKind(parts[parts.length - 1])) kindAt = parts.length - 1;
  else if (parts.length >= 3 && isKind(parts[parts.length - 2])) kindAt = parts.length - 2;
  if (kindAt < 0) {
    const maybe = parts.length >= 2 ? parts[parts.length - (parts.length >= 3 ? 2 : 1)] : undefined;
    const hint = maybe ? `; "${maybe}" is not a fault kind` : '';
    throw new SimulationInputError(`--fault "${text}": ${SYNTAX}${hint}`);
  }
  const service = parts.slice(0, kindAt).join(':');
  if (service.trim() === '') throw new SimulationInputError(`--fault "${text}": the service name is empty`);
  const kind = parts[kindAt] as FaultKind;
  const raw = kindAt === parts.length - 2 ? (parts[parts.length - 1] as string) : undefined;
  if (raw !== undefined && raw.trim() === '')
    throw new SimulationInputError(`--fault "${text}": the severity after "${kind}:" is empty`);
  return {
    service,
    kind,
    severity: raw === undefined ? DEFAULT_SEVERITY[kind] : parseSeverity(kind, raw, text),
    text,
  };
}

export function parseSeverity(kind: FaultKind, raw: string, text = `${kind}:${raw}`): Severity {
  const bad = (why: string) => new SimulationInputError(`--fault "${text}": ${why}`);
  const s = raw.trim();
  if (kind === 'latency') {
    const tail = /^([0-9.]+)%@(.+)$/.exec(s);
    if (tail) {
      const share = num(tail[1]) / 100;
      const seconds = duration(tail[2] as string);
      if (Number.isNaN(share) || Number.isNaN(seconds))
        throw bad('a slow tail is written SHARE%@TIME, e.g. 5%@2s');
      if (!(share > 0 && share < 1))
        throw bad(`impossible severity: a slow tail of ${tail[1]} % (it must be above 0 and below 100 %)`);
      if (!(seconds > 0 && seconds <= 600))
        throw bad('impossible severity: the added time must be above 0 and at most 600 s');
      return { mode: 'tail', share, seconds };
    }
    const factor = /^(?:[x×]([0-9.]+)|([0-9.]+)[x×])$/.exec(s);
    if (factor) {
      const f = num(factor[1] ?? factor[2]);
      if (Number.isNaN(f)) throw bad('a slow-down factor is written x4');
      if (!(f > 1 && f <= 1000))
        throw bad(`impossible severity: a slow-down factor of ${f} (it must be above 1 and at most 1000)`);
      return { mode: 'scale', factor: f };
    }
    const seconds = duration(s.replace(/^\+/, ''));
    if (Number.isNaN(seconds))
      throw bad(
        `latency severity "${raw}": give added time (300ms, 1.5s), a factor (x4) or a slow tail (5%@2s)`,
      );
    if (!(seconds > 0 && seconds <= 600))
      throw bad(`impossible severity: ${raw} of added time (it must be above 0 and at most 600 s)`);
    return { mode: 'add', seconds };
  }
  const value = s.endsWith('%') ? num(s.slice(0, -1)) / 100 : num(s);
  if (Number.isNaN(value)) {
    const example = kind === 'saturation' ? '0.95 or 95%' : '0.2 or 20%';
    throw bad(`severity "${raw}" is not a number (e.g. ${example})`);
  }
  if (kind === 'saturation') {
    const [lo, hi] = SATURATION_RANGE;
    if (!(value >= lo && value <= hi)) {
      throw bad(
        `impossible severity ${raw}: saturation is the utilisation at the usual load, from ${lo} (latency starts to grow) to ${hi} (1 = at capacity)`,
      );
    }
    return { mode: 'utilisation', utilisation: value };
  }
  if (!(value > 0 && value <= 1)) {
    const what =
      kind === 'error'
        ? 'the share of requests that fail'
        : kind === 'throttle'
          ? 'the share of requests throttled'
          : 'the share of connections refused';
    throw bad(`impossible severity ${raw}: ${what} must be above 0 and at most 1 (e.g. 0.2 or 20%)`);
  }
  return { mode: 'share', share: value };
}

/** Binds faults to services; unknown services and the same kind twice on one service are errors. */
export function resolveFaults(topo: CompiledTopology, specs: readonly FaultSpec[]): Fault[] {
  const seen = new Set<string>();
  return specs.map((f) => {
    const index = findService(topo, f.service, `--fault "${f.text}"`);
    const key = `${index}/${f.kind}`;
    if (seen.has(key)) {
      throw new SimulationInputError(
        `--fault "${f.text}": ${topo.labels[index]} already has ${f.kind === 'error' || f.kind === 'unavailable' ? 'an' : 'a'} ${f.kind} fault; give each kind once per service`,
      );
    }
    seen.add(key);
    return { ...f, index, label: topo.labels[index] as string };
  });
}

/** A service by label, by name (the busiest non-inferred one when a name has several types) or exits with suggestions. */
export function findService(topo: CompiledTopology, name: string, what: string): number {
  const exact = topo.byLabel.get(name);
  if (exact !== undefined) return exact;
  const list = topo.byName.get(name);
  if (list && list.length > 0) {
    const sorted = [...list].sort(
      (a, b) =>
        (topo.inferred[a] ?? 0) - (topo.inferred[b] ?? 0) ||
        (topo.entry[b] ?? 0) - (topo.entry[a] ?? 0) ||
        a - b,
    );
    return sorted[0] as number;
  }
  const close = suggest(name, topo.labels);
  throw new SimulationInputError(
    `${what}: no service "${name}" in topology "${topo.name}"` +
      (close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : '') +
      ` (list them with: cascade-analyzer simulate --list ${topo.spec.listWith ?? `--topology ${quoteArg(topo.name)}`})`,
  );
}

/** A plain sentence: "api.payments.example.com refuses 100 % of connections". */
export function describeFault(f: {
  readonly label: string;
  readonly kind: FaultKind;
  readonly severity: Severity;
}): string {
  const pct = (x: number) => `${round1(100 * x)} %`;
  const sev = f.severity;
  switch (f.kind) {
    case 'error':
      return `${f.label} answers ${sev.mode === 'share' ? pct(sev.share) : '?'} of requests with 5xx`;
    case 'throttle':
      return `${f.label} throttles (429) ${sev.mode === 'share' ? pct(sev.share) : '?'} of requests at its usual load`;
    case 'unavailable':
      return sev.mode === 'share' && sev.share >= 1
        ? `${f.label} is down: every connection is refused`
        : `${f.label} refuses ${sev.mode === 'share' ? pct(sev.share) : '?'} of connections`;
    case 'saturation':
      return `${f.label} runs at ${sev.mode === 'utilisation' ? pct(sev.utilisation) : '?'} of its capacity at the usual load`;
    case 'latency':
      if (sev.mode === 'scale') return `${f.label} is ${sev.factor}× slower`;
      if (sev.mode === 'add') return `${f.label} takes ${seconds(sev.seconds)} longer per request`;
      if (sev.mode === 'tail')
        return `the slowest ${pct(sev.share)} of ${f.label}'s requests take ${seconds(sev.seconds)} longer`;
      return `${f.label} is slower`;
  }
}

function num(s: string | undefined): number {
  if (s === undefined || !/^[0-9]*\.?[0-9]+$/.test(s)) return Number.NaN;
  return Number(s);
}

/** `300ms`, `1.5s`, `2m`, or a plain number of seconds. */
function duration(s: string): number {
  const m = /^([0-9]*\.?[0-9]+)(ms|s|m)?$/.exec(s.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'ms' ? v / 1000 : m[2] === 'm' ? v * 60 : v;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const seconds = (s: number) => (s >= 1 ? `${round1(s)} s` : `${Math.round(s * 1000)} ms`);
const quoteArg = (s: string) => (/^[A-Za-z0-9._:/-]+$/.test(s) ? s : JSON.stringify(s));
