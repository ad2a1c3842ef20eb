// Reads a Step Functions state machine out of the template: its definition (usually an Fn::Join of
// JSON fragments and ARNs), its states in the order the workflow runs them, the transitions between
// them, and the resources each Task state calls.

import { isObject, type Json, type JsonObject, type Resources, refsIn } from './template.ts';

/** Stands in for a resource reference inside the definition's JSON text: no quote, no backslash. */
const token = (id: string): string => `@@${id}@@`;
const TOKEN = /@@([A-Za-z0-9:]+)@@/g;

export interface WorkflowState {
  readonly name: string;
  /** ASL type: Task, Choice, Parallel, Map, Pass, Wait, Succeed, Fail. */
  readonly type: string;
  /** Resources of the template the state calls (a Task's Lambda function, table, topic…), sorted. */
  readonly calls: readonly string[];
}

export type TransitionKind = 'next' | 'choice' | 'default' | 'catch' | 'branch';

export interface Transition {
  readonly from: string;
  readonly to: string;
  readonly kind: TransitionKind;
  /** A Choice rule in short (`state.value = OK`). */
  readonly condition?: string;
}

export interface Workflow {
  readonly startAt: string;
  /** In the order the workflow runs them: see `workflowOrder`. */
  readonly states: readonly WorkflowState[];
  readonly transitions: readonly Transition[];
}

/** Intrinsics as text, references as tokens: enough to parse the definition and find what it calls. */
function asText(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isObject(value)) {
    if (typeof value.Ref === 'string') return token(value.Ref);
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return token(String(getAtt[0]));
    if (typeof getAtt === 'string') return token(getAtt.split('.')[0] as string);
    const join = value['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map(asText).join(String(join[0]));
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string' || Array.isArray(sub)) {
      const [text, vars] = typeof sub === 'string' ? [sub, {}] : [String(sub[0]), sub[1]];
      return text.replace(/\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}/g, (_, name: string) =>
        isObject(vars) && name in vars ? asText(vars[name]) : token(name),
      );
    }
  }
  throw new Error(`the state machine definition uses ${JSON.stringify(value)}, which cannot be read`);
}

/** The definition as an object, resource references replaced by tokens (see `callsOf`). */
export function readDefinition(properties: JsonObject): JsonObject {
  if (isObject(properties.Definition)) return properties.Definition;
  let text = asText(properties.DefinitionString);
  const substitutions = properties.DefinitionSubstitutions;
  if (isObject(substitutions)) {
    text = text.replace(/\$\{([^}]+)\}/g, (whole, key: string) =>
      key in substitutions ? asText(substitutions[key]) : whole,
    );
  }
  try {
    const definition: Json = JSON.parse(text);
    if (isObject(definition) && isObject(definition.States)) return definition;
  } catch {
    // Reported below with the start of the text.
  }
  throw new Error(`the state machine definition is not ASL JSON: ${text.slice(0, 80)}...`);
}

/** Resources a state refers to, in its Resource ARN and its parameters (`FunctionName`, `TableName`…). */
function callsOf(state: JsonObject, resources: Resources): string[] {
  const found = new Set<string>();
  const scan = (value: Json): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(TOKEN)) found.add(m[1] as string);
    } else if (Array.isArray(value)) {
      for (const v of value) scan(v);
    } else if (isObject(value)) {
      for (const id of refsIn(value)) found.add(id);
      for (const v of Object.values(value)) scan(v);
    }
  };
  scan(state.Resource);
  scan(state.Parameters);
  scan(state.Arguments);
  return [...found].filter((id) => resources[id] !== undefined).sort();
}

const COMPARISONS: readonly (readonly [RegExp, string])[] = [
  [/Equals(Path)?$/, '='],
  [/GreaterThanEquals(Path)?$/, '>='],
  [/LessThanEquals(Path)?$/, '<='],
  [/GreaterThan(Path)?$/, '>'],
  [/LessThan(Path)?$/, '<'],
  [/Matches$/, '~'],
];

/** `$.detail.state.value` → `state.value`: enough of the path to tell conditions apart. */
function shortPath(path: Json): string {
  return String(path)
    .replace(/^\$\.?/, '')
    .split('.')
    .slice(-2)
    .join('.');
}

/** A Choice rule in a few words; presence checks that guard a comparison are left out. */
export function describeCondition(rule: JsonObject): string {
  const nested = (key: 'And' | 'Or', joiner: string): string | undefined => {
    const parts = rule[key];
    if (!Array.isArray(parts)) return undefined;
    const described = parts.filter(isObject).map(describeCondition);
    const meaningful = described.filter((d) => !d.endsWith(' present'));
    return (meaningful.length > 0 ? meaningful : described).join(joiner);
  };
  const combined = nested('And', ' and ') ?? nested('Or', ' or ');
  if (combined !== undefined) return combined;
  if (isObject(rule.Not)) return `not (${describeCondition(rule.Not)})`;
  if (typeof rule.Condition === 'string') return rule.Condition;
  const variable = shortPath(rule.Variable);
  if (rule.IsPresent !== undefined) return `${variable} ${rule.IsPresent ? '' : 'not '}present`;
  for (const [key, value] of Object.entries(rule)) {
    const op = COMPARISONS.find(([pattern]) => pattern.test(key))?.[1];
    if (op !== undefined)
      return `${variable} ${op} ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  }
  return variable;
}

/** Every state of the definition, Parallel branches and Map iterators included (names are unique). */
function collectStates(definition: JsonObject, into: Map<string, JsonObject>): void {
  for (const [name, state] of Object.entries(definition.States as JsonObject)) {
    if (!isObject(state)) continue;
    into.set(name, state);
    for (const branch of [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      state.Iterator,
      state.ItemProcessor,
    ]) {
      if (isObject(branch) && isObject(branch.States)) collectStates(branch, into);
    }
  }
}

/** The states that end a branch (no Next, not a Choice), to join them to their Parallel's Next. */
function branchEnds(branch: JsonObject): string[] {
  return Object.entries(branch.States as JsonObject)
    .filter(([, s]) => isObject(s) && s.End === true)
    .map(([name]) => name);
}

function transitionsOf(name: string, state: JsonObject): Transition[] {
  const out: Transition[] = [];
  const catchTargets = (Array.isArray(state.Catch) ? state.Catch : [])
    .filter(isObject)
    .map((c) => String(c.Next));
  if (Array.isArray(state.Choices)) {
    for (const rule of state.Choices.filter(isObject)) {
      out.push({ from: name, to: String(rule.Next), kind: 'choice', condition: describeCondition(rule) });
    }
  }
  if (typeof state.Default === 'string') out.push({ from: name, to: state.Default, kind: 'default' });
  const branches = [
    ...(Array.isArray(state.Branches) ? state.Branches : []),
    state.Iterator,
    state.ItemProcessor,
  ].filter((b): b is JsonObject => isObject(b) && typeof b.StartAt === 'string');
  for (const branch of branches) {
    out.push({ from: name, to: String(branch.StartAt), kind: 'branch' });
    if (typeof state.Next === 'string') {
      for (const end of branchEnds(branch)) out.push({ from: end, to: state.Next, kind: 'next' });
    }
  }
  if (typeof state.Next === 'string' && branches.length === 0) {
    out.push({ from: name, to: state.Next, kind: 'next' });
  }
  for (const target of catchTargets) out.push({ from: name, to: target, kind: 'catch' });
  return out;
}

/**
 * States in the order the workflow runs them: depth first from StartAt along the ordinary path —
 * Next, a Choice's Default (the common case) before its rules, Parallel branches in order — and the
 * error handlers (Catch targets) last, as a reader of the workflow would list them.
 */
export function workflowOrder(startAt: string, transitions: readonly Transition[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const deferred: string[] = [];
  const rank: Record<TransitionKind, number> = { next: 0, branch: 1, default: 2, choice: 3, catch: 4 };
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    order.push(name);
    const outgoing = transitions
      .map((t, index) => ({ t, index }))
      .filter(({ t }) => t.from === name)
      .sort((a, b) => rank[a.t.kind] - rank[b.t.kind] || a.index - b.index)
      .map(({ t }) => t);
    for (const t of outgoing) {
      if (t.kind === 'catch') deferred.push(t.to);
      else visit(t.to);
    }
  };
  visit(startAt);
  while (deferred.length > 0) visit(deferred.shift() as string);
  return order;
}

export function readWorkflow(properties: JsonObject, resources: Resources): Workflow {
  const definition = readDefinition(properties);
  const all = new Map<string, JsonObject>();
  collectStates(definition, all);
  const transitions = [...all].flatMap(([name, state]) => transitionsOf(name, state));
  const startAt = String(definition.StartAt);
  const ordered = workflowOrder(startAt, transitions);
  // States no transition reaches still exist in the definition: drawn after the others, by name.
  const unreached = [...all.keys()].filter((n) => !ordered.includes(n)).sort();
  const states = [...ordered, ...unreached]
    .filter((name) => all.has(name))
    .map((name) => {
      const state = all.get(name) as JsonObject;
      return { name, type: String(state.Type), calls: callsOf(state, resources) };
    });
  return { startAt, states, transitions };
}
