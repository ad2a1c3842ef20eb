// Draws the deployed architecture from the synthesized CloudFormation template: what triggers the
// workflow, its steps in order and the Lambda each invokes, the stores each function's IAM role may
// read or write, the API, and the stack's own monitoring. Everything is read from the template, so
// the picture changes when the stack does (test/docs/architecture-picture.test.ts holds them equal).

import { type Cluster, type NodeKind, Picture, type PictureEdge } from './picture.ts';
import {
  type Access,
  functionAccess,
  isObject,
  type Json,
  type JsonObject,
  props,
  type Resources,
  readableName,
  refsIn,
  resourcesOf,
  sortedIds,
} from './template.ts';
import { readWorkflow, type Workflow } from './workflow.ts';

const TITLE = 'cascade-analyzer: deployed resources (drawn from the synthesized CloudFormation template)';

/** The service line under a resource's name. */
const SERVICE: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'DynamoDB',
  'AWS::DynamoDB::GlobalTable': 'DynamoDB',
  'AWS::S3::Bucket': 'S3',
  'AWS::SNS::Topic': 'SNS',
  'AWS::SQS::Queue': 'SQS',
  'AWS::Lambda::Function': 'Lambda',
  'AWS::Events::Rule': 'EventBridge',
  'AWS::ApiGateway::RestApi': 'API Gateway',
  'AWS::CloudWatch::Dashboard': 'CloudWatch',
};

/** Where the functions' data lives: the resources their access is drawn to. */
const STORE_TYPES: readonly string[] = [
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
];

/** CloudWatch namespaces in words, to count the own-failure alarms per service. */
const NAMESPACE: Readonly<Record<string, string>> = {
  'AWS/Lambda': 'Lambda',
  'AWS/States': 'Step Functions',
  'AWS/SQS': 'SQS',
  'AWS/SNS': 'SNS',
  'AWS/ApiGateway': 'API Gateway',
  'AWS/DynamoDB': 'DynamoDB',
  'AWS/Events': 'EventBridge',
  'AWS/X-Ray': 'X-Ray',
};

/** Beyond this many names a node shows the first ones and a count: 40 alarms must not make 40 lines. */
const MAX_LISTED = 4;

function listed(names: readonly string[]): string[] {
  if (names.length <= MAX_LISTED) return [...names];
  return [...names.slice(0, MAX_LISTED - 1), `... and ${names.length - MAX_LISTED + 1} more`];
}

/** Plain code-unit order: `localeCompare` would make the picture depend on the machine's locale. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function strings(value: Json): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function objects(value: Json): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** `state.value: ALARM, OK` for each match on plain strings in an event pattern's detail. */
function patternLines(detail: Json, skip: ReadonlySet<string>, path = ''): string[] {
  if (!isObject(detail)) return [];
  const lines: string[] = [];
  for (const key of Object.keys(detail).sort()) {
    const name = path === '' ? key : `${path}.${key}`;
    const value = detail[key];
    if (skip.has(name)) continue;
    if (isObject(value)) lines.push(...patternLines(value, skip, name));
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      lines.push(`${name}: ${listed(value as string[]).join(', ')}`);
    }
  }
  return lines;
}

/** The alarm names an event pattern's `detail.alarmName` matches: exact names and prefixes. */
function alarmNameMatchers(pattern: JsonObject): { names: string[]; prefixes: string[] } {
  const detail = isObject(pattern.detail) ? pattern.detail : {};
  const values = Array.isArray(detail.alarmName) ? detail.alarmName : [];
  return { names: strings(values), prefixes: objects(values).flatMap((v) => strings(v.prefix)) };
}

/** The metrics an alarm reads, plain or in metric math. */
function alarmMetrics(alarm: JsonObject): JsonObject[] {
  const fromMath = objects(alarm.Metrics).flatMap((m) => {
    const stat = isObject(m.MetricStat) ? m.MetricStat : {};
    return isObject(stat.Metric) ? [stat.Metric] : [];
  });
  return [alarm, ...fromMath];
}

/** A store's details under its name and service. */
function storeDetails(type: string, p: JsonObject, isDeadLetterQueue: boolean): string[] {
  if (type === 'AWS::SQS::Queue' && isDeadLetterQueue) return ['dead-letter queue'];
  if (type === 'AWS::SNS::Topic' && p.KmsMasterKeyId !== undefined) return ['KMS-encrypted'];
  if (type.startsWith('AWS::DynamoDB::')) {
    const indexes = objects(p.GlobalSecondaryIndexes).map((i) => String(i.IndexName));
    return indexes.length > 0 ? [`indexes: ${indexes.join(', ')}`] : [];
  }
  return [];
}

function accessTooltip(access: Access): string {
  const env = access.envVars.length > 0 ? `; environment ${access.envVars.join(', ')}` : '';
  return `IAM ${access.actions.join(', ')}${env}`;
}

/** Edges run function → store: the arrowhead at the store for a write, at the function for a read. */
function accessDir(access: Access): PictureEdge['dir'] {
  if (access.modes.has('read') && access.modes.has('write')) return 'both';
  return access.modes.has('read') ? 'back' : undefined;
}

/** The dead-letter queues of rule targets, functions and subscriptions, by the resource they serve. */
function deadLetters(resources: Resources): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (from: string, config: Json) => {
    if (!isObject(config)) return;
    for (const q of refsIn([config.Arn, config.TargetArn, config.deadLetterTargetArn])) {
      if (resources[q]?.Type === 'AWS::SQS::Queue') out.set(from, (out.get(from) ?? new Set()).add(q));
    }
  };
  for (const id of sortedIds(resources, 'AWS::Events::Rule')) {
    for (const target of objects(props(resources, id).Targets)) add(id, target.DeadLetterConfig);
  }
  for (const id of sortedIds(resources, 'AWS::Lambda::Function'))
    add(id, props(resources, id).DeadLetterConfig);
  for (const id of sortedIds(resources, 'AWS::SNS::Subscription'))
    add(id, props(resources, id).RedrivePolicy);
  return out;
}

const stateNodeId = (machineId: string, state: string) => `${machineId}.${state}`;

/** Everything the picture shows, as a graph: nodes in clusters, edges with their meaning. */
export function architectureGraph(template: object): Picture {
  const resources = resourcesOf(template);
  const picture = new Picture();
  const typeOf = (id: string) => resources[id]?.Type ?? '';
  const isStore = (id: string) => STORE_TYPES.includes(typeOf(id));
  const nameLines = (id: string, ...details: string[]) => [
    readableName(id),
    SERVICE[typeOf(id)] ?? typeOf(id),
    ...details,
  ];

  const workflows = new Map<string, Workflow>();
  for (const id of sortedIds(resources, 'AWS::StepFunctions::StateMachine')) {
    workflows.set(id, readWorkflow(props(resources, id), resources));
  }
  // Created in the order Graphviz starts placing them, left to right.
  const monitoring = picture.cluster('monitoring', 'Monitoring');
  const api = picture.cluster('api', 'API');
  const trigger = picture.cluster('trigger', 'Trigger');
  const workflowClusters = new Map<string, Cluster>();
  for (const machineId of workflows.keys()) {
    const type = props(resources, machineId).StateMachineType;
    const label = `${readableName(machineId)}, Step Functions${typeof type === 'string' ? ` (${type})` : ''}`;
    workflowClusters.set(machineId, picture.cluster(`workflow_${machineId}`, label));
  }
  const storage = picture.cluster('storage', 'Storage and messaging');
  const dead = deadLetters(resources);
  const deadQueues = new Set([...dead.values()].flatMap((queues) => [...queues]));

  // A function a workflow invokes is drawn as the steps that invoke it; the others as their own node.
  const stepsInvoking = new Map<string, string[]>();
  for (const [machineId, wf] of workflows) {
    for (const state of wf.states) {
      for (const fn of state.calls.filter((id) => typeOf(id) === 'AWS::Lambda::Function')) {
        stepsInvoking.set(fn, [...(stepsInvoking.get(fn) ?? []), stateNodeId(machineId, state.name)]);
      }
    }
  }
  const nodesOf = (fn: string): string[] => stepsInvoking.get(fn) ?? [fn];
  /** An edge into a state machine ends at its cluster's border, drawn to its first state. */
  const machineEntry = (machineId: string) => {
    const wf = workflows.get(machineId);
    return wf === undefined
      ? undefined
      : { node: stateNodeId(machineId, wf.startAt), cluster: `workflow_${machineId}` };
  };

  // Storage: tables, buckets, topics, queues; where a bucket writes its access logs.
  for (const id of sortedIds(resources, STORE_TYPES)) {
    const p = props(resources, id);
    const kind: NodeKind =
      typeOf(id) === 'AWS::S3::Bucket'
        ? 'bucket'
        : typeOf(id).startsWith('AWS::DynamoDB::')
          ? 'table'
          : 'messaging';
    picture.node(
      { id, kind, lines: nameLines(id, ...storeDetails(typeOf(id), p, deadQueues.has(id))) },
      storage,
    );
    const logging = isObject(p.LoggingConfiguration)
      ? p.LoggingConfiguration.DestinationBucketName
      : undefined;
    for (const target of refsIn(logging))
      picture.edge({ from: id, to: target, kind: 'logs', label: 'access logs' });
  }
  // Subscriptions, one node per topic and protocol: the addresses are configuration, not architecture.
  const subscriptions = new Map<string, string[]>();
  for (const id of sortedIds(resources, 'AWS::SNS::Subscription')) {
    const p = props(resources, id);
    for (const topic of refsIn(p.TopicArn)) {
      const key = `${topic}.${String(p.Protocol)}`;
      subscriptions.set(key, [...(subscriptions.get(key) ?? []), id]);
    }
  }
  for (const [key, ids] of [...subscriptions].sort(([a], [b]) => byCodeUnit(a, b))) {
    const [topic = '', protocol = ''] = key.split('.');
    const node = `${key}.subscriptions`;
    picture.node(
      { id: node, kind: 'external', lines: [plural(ids.length, `${protocol} subscription`)] },
      storage,
    );
    picture.edge({ from: topic, to: node, kind: 'flow' });
    for (const q of new Set(ids.flatMap((sub) => [...(dead.get(sub) ?? [])]))) {
      picture.edge({ from: node, to: q, kind: 'undelivered', label: 'undelivered' });
    }
  }

  // Each workflow: its steps one under the other in the order they run, the states that end it
  // beside the step before. One column, so that the stores are on the same side of every step.
  for (const [machineId, wf] of workflows) {
    const cluster = workflowClusters.get(machineId) as Cluster;
    const ends = (type: string) => type === 'Succeed' || type === 'Fail';
    picture.columns.push(wf.states.filter((s) => !ends(s.type)).map((s) => stateNodeId(machineId, s.name)));
    for (const state of wf.states) {
      const id = stateNodeId(machineId, state.name);
      const fns = state.calls.filter((c) => typeOf(c) === 'AWS::Lambda::Function');
      const kind: NodeKind =
        state.type === 'Succeed'
          ? 'succeed'
          : state.type === 'Fail'
            ? 'fail'
            : fns.length > 0
              ? 'step'
              : 'choice';
      const details =
        fns.length > 0
          ? fns.map((fn) => `Lambda: ${readableName(fn)}`)
          : ends(state.type)
            ? []
            : [state.type];
      picture.node({ id, kind, lines: [state.name, ...details] }, cluster);
      // A Task calling a table, topic or queue itself (no Lambda) touches it directly.
      for (const store of state.calls.filter(isStore)) picture.edge({ from: id, to: store, kind: 'access' });
    }
    const has = (kind: string, from: string, to: string) =>
      wf.transitions.some((t) => t.kind === kind && t.from === from && t.to === to);
    for (const t of wf.transitions) {
      const [from, to] = [stateNodeId(machineId, t.from), stateNodeId(machineId, t.to)];
      if (t.kind === 'catch') {
        // A step whose failure leads where its success does (an optional step) says so on one edge.
        if (!has('next', t.from, t.to)) picture.edge({ from, to, kind: 'catch' });
        continue;
      }
      const label =
        t.kind === 'choice'
          ? t.condition
          : t.kind === 'default'
            ? 'otherwise'
            : has('catch', t.from, t.to)
              ? 'also on error'
              : undefined;
      picture.edge({ from, to, kind: 'flow', ...(label !== undefined ? { label } : {}) });
    }
  }

  // EventBridge rules: one that matches the stack's own resources watches it (monitoring); the
  // others trigger it.
  const alarmIds = sortedIds(resources, 'AWS::CloudWatch::Alarm');
  const alarmName = (id: string) => strings(props(resources, id).AlarmName)[0];
  const ownNames = new Set(alarmIds.flatMap((id) => strings(props(resources, id).AlarmName)));
  const matchedAlarms = new Map<string, string[]>();
  const clusterOfFunction = new Map<string, Cluster>();
  for (const ruleId of sortedIds(resources, 'AWS::Events::Rule')) {
    const p = props(resources, ruleId);
    const pattern = isObject(p.EventPattern) ? p.EventPattern : {};
    const detail = isObject(pattern.detail) ? pattern.detail : {};
    const watchesOwn = [...refsIn(pattern)].filter((id) => resources[id] !== undefined).sort();
    const cluster = watchesOwn.length > 0 ? monitoring : trigger;
    const matchers = alarmNameMatchers(pattern);
    const matched = alarmIds.filter((a) => {
      const name = alarmName(a);
      return (
        name !== undefined &&
        (matchers.names.includes(name) || matchers.prefixes.some((x) => name.startsWith(x)))
      );
    });
    matchedAlarms.set(ruleId, matched);
    // Matches on alarm names and on the stack's resources are drawn as edges, not written out.
    const skip = new Set(['alarmName', ...Object.keys(detail).filter((k) => refsIn(detail[k]).size > 0)]);
    // A scheduled rule matches no events: its schedule says when it fires.
    const lines = nameLines(
      ruleId,
      ...strings(p.ScheduleExpression),
      ...strings(pattern['detail-type']),
      ...patternLines(detail, skip),
    );
    picture.node({ id: ruleId, kind: 'rule', lines }, cluster);
    // Alarms the pattern names that the stack does not define: existing ones from the configuration.
    const existing = [
      ...matchers.names.filter((n) => !ownNames.has(n)),
      ...matchers.prefixes.map((x) => `${x}*`),
    ];
    if (existing.length > 0) {
      const node = `${ruleId}.existingAlarms`;
      picture.node(
        { id: node, kind: 'external', lines: ['Existing alarms', 'CloudWatch', ...listed(existing)] },
        cluster,
      );
      picture.edge({ from: node, to: ruleId, kind: 'flow', label: 'state change' });
    }
    for (const source of watchesOwn) {
      const entry = machineEntry(source);
      if (entry !== undefined) {
        picture.edge({
          from: entry.node,
          to: ruleId,
          kind: 'flow',
          label: 'execution status',
          ltail: entry.cluster,
        });
      } else {
        for (const from of nodesOf(source)) picture.edge({ from, to: ruleId, kind: 'flow' });
      }
    }
    for (const target of objects(p.Targets)) {
      for (const to of [...refsIn(target.Arn)].sort()) {
        const entry = machineEntry(to);
        if (entry !== undefined) {
          picture.edge({
            from: ruleId,
            to: entry.node,
            kind: 'start',
            label: 'starts',
            lhead: entry.cluster,
          });
        } else if (resources[to] !== undefined) {
          for (const node of nodesOf(to))
            picture.edge({ from: ruleId, to: node, kind: 'start', label: 'invokes' });
          clusterOfFunction.set(to, cluster);
        }
      }
    }
    for (const q of dead.get(ruleId) ?? []) {
      picture.edge({ from: ruleId, to: q, kind: 'undelivered', label: 'undelivered' });
    }
  }

  // Alarms, one node per group: those a rule reacts to (on the watched services), and the stack's
  // own-failure alarms by where they notify — with many services, one box each would hide the rest.
  const watched = new Set([...matchedAlarms.values()].flat());
  if (watched.size > 0) {
    const node = 'alarms.watched';
    const names = [...watched].map((a) => alarmName(a) ?? readableName(a)).sort();
    const lines = [`${plural(watched.size, 'alarm')} on watched services`, 'CloudWatch', ...listed(names)];
    picture.node({ id: node, kind: 'alarm', lines }, trigger);
    for (const [ruleId, matched] of matchedAlarms) {
      if (matched.length > 0) picture.edge({ from: node, to: ruleId, kind: 'flow', label: 'state change' });
    }
    // The X-Ray groups whose trace counts the alarms read: named in their metrics' dimensions.
    const groups = sortedIds(resources, 'AWS::XRay::Group');
    const groupNames = groups.flatMap((g) => strings(props(resources, g).GroupName)).sort();
    const read = [...watched].some((a) =>
      alarmMetrics(props(resources, a)).some((metric) =>
        objects(metric.Dimensions).some(
          (d) =>
            groupNames.includes(String(d.Value)) || [...refsIn(d.Value)].some((id) => groups.includes(id)),
        ),
      ),
    );
    if (read) {
      const lines = [plural(groups.length, 'X-Ray group'), 'X-Ray', ...listed(groupNames)];
      picture.node({ id: 'xray.groups', kind: 'external', lines }, trigger);
      picture.edge({ from: 'xray.groups', to: node, kind: 'flow', label: 'trace counts' });
    }
  }
  const byActions = new Map<string, string[]>();
  for (const a of alarmIds.filter((id) => !watched.has(id))) {
    const p = props(resources, a);
    const key = [...refsIn([p.AlarmActions, p.OKActions, p.InsufficientDataActions])].sort().join(',');
    byActions.set(key, [...(byActions.get(key) ?? []), a]);
  }
  for (const [key, alarms] of [...byActions].sort(([a], [b]) => byCodeUnit(a, b))) {
    const perService = new Map<string, number>();
    for (const a of alarms) {
      const namespace =
        alarmMetrics(props(resources, a)).flatMap((m) => strings(m.Namespace))[0] ?? 'metric math';
      const service = NAMESPACE[namespace] ?? namespace;
      perService.set(service, (perService.get(service) ?? 0) + 1);
    }
    const counts = [...perService]
      .sort(([a, x], [b, y]) => y - x || byCodeUnit(a, b))
      .map(([s, n]) => `${n} ${s}`);
    const node = key === '' ? 'alarms.own' : `alarms.own.${key}`;
    const lines = [plural(alarms.length, 'own-failure alarm'), 'CloudWatch', counts.join(', ')];
    picture.node({ id: node, kind: 'alarm', lines }, monitoring);
    for (const target of key === '' ? [] : key.split(',')) {
      if (resources[target] !== undefined)
        picture.edge({ from: node, to: target, kind: 'notify', label: 'alarm action' });
    }
  }
  for (const id of sortedIds(resources, 'AWS::CloudWatch::Dashboard')) {
    picture.node({ id, kind: 'dashboard', lines: nameLines(id) }, monitoring);
  }

  // Each REST API: its routes from the Method and Resource tree, and the functions it integrates.
  for (const apiId of sortedIds(resources, 'AWS::ApiGateway::RestApi')) {
    const pathOf = (resourceRef: Json): string => {
      const [id] = [...refsIn(resourceRef)];
      if (id === undefined || id === apiId) return '';
      const r = props(resources, id);
      return `${pathOf(r.ParentId)}/${String(r.PathPart)}`;
    };
    const routes: { method: string; path: string }[] = [];
    const auth = new Set<string>();
    const integrated = new Set<string>();
    for (const m of sortedIds(resources, 'AWS::ApiGateway::Method')) {
      const p = props(resources, m);
      if (!refsIn(p.RestApiId).has(apiId)) continue;
      routes.push({ method: String(p.HttpMethod), path: pathOf(p.ResourceId) || '/' });
      for (const type of strings(p.AuthorizationType))
        auth.add(type === 'AWS_IAM' ? 'IAM auth' : `${type} auth`);
      const integration = isObject(p.Integration) ? p.Integration : {};
      for (const fn of refsIn(integration.Uri))
        if (typeOf(fn) === 'AWS::Lambda::Function') integrated.add(fn);
    }
    const stages = sortedIds(resources, 'AWS::ApiGateway::Stage')
      .filter((s) => refsIn(props(resources, s).RestApiId).has(apiId))
      .map((s) => `stage ${String(props(resources, s).StageName)}`);
    routes.sort((a, b) => byCodeUnit(a.path, b.path) || byCodeUnit(a.method, b.method));
    const lines = [
      readableName(apiId),
      ['API Gateway REST', ...stages, ...[...auth].sort()].join(', '),
      ...routes.map((r) => `${r.method} ${r.path}`),
    ];
    picture.node({ id: apiId, kind: 'api', lines }, api);
    for (const fn of [...integrated].sort()) {
      for (const node of nodesOf(fn)) picture.edge({ from: apiId, to: node, kind: 'flow', label: 'proxy' });
      clusterOfFunction.set(fn, api);
    }
  }

  // Functions no step invokes, with what invokes them; then what every function's role may do.
  const functions = sortedIds(resources, 'AWS::Lambda::Function');
  for (const fn of functions.filter((id) => !stepsInvoking.has(id))) {
    const layers = [...refsIn(props(resources, fn).Layers)].sort().map((l) => `+ ${readableName(l)}`);
    picture.node({ id: fn, kind: 'lambda', lines: nameLines(fn, ...layers) }, clusterOfFunction.get(fn));
  }
  for (const fn of functions) {
    const deadOf = dead.get(fn) ?? new Set<string>();
    for (const q of deadOf) {
      for (const from of nodesOf(fn))
        picture.edge({ from, to: q, kind: 'undelivered', label: 'failed events' });
    }
    for (const [target, access] of functionAccess(resources, fn)) {
      if (deadOf.has(target)) continue;
      const entry = machineEntry(target);
      const tooltip = accessTooltip(access);
      for (const from of nodesOf(fn)) {
        if (entry !== undefined) {
          picture.edge({
            from,
            to: entry.node,
            kind: 'start',
            label: 'starts',
            lhead: entry.cluster,
            tooltip,
          });
        } else if (isStore(target)) {
          const dir = accessDir(access);
          picture.edge({ from, to: target, kind: 'access', tooltip, ...(dir !== undefined ? { dir } : {}) });
        }
      }
    }
  }

  // Each store beside the middle one (in workflow order) of the steps that use it, so that its
  // edges run up and down to the others; a store nothing uses at the foot of the column.
  const order = new Map(picture.columns.flat().map((id, i) => [id, i]));
  const users = new Map<string, string[]>();
  for (const e of picture.edges) {
    if (e.kind === 'access' && order.has(e.from)) users.set(e.to, [...(users.get(e.to) ?? []), e.from]);
  }
  for (const [store, steps] of [...users].sort(([a], [b]) => byCodeUnit(a, b))) {
    const sorted = [...new Set(steps)].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    picture.beside(sorted[Math.floor((sorted.length - 1) / 2)] as string, store);
  }
  const lastStep = picture.columns.at(-1)?.at(-1);
  const touched = new Set(picture.edges.flatMap((e) => [e.from, e.to]));
  for (const node of storage.nodes) {
    if (lastStep !== undefined && !touched.has(node.id)) picture.level(lastStep, node.id);
  }
  return picture;
}

/** The picture as Graphviz DOT: the same template gives the same text, byte for byte. */
export function architectureDot(template: object): string {
  return architectureGraph(template).toDot(TITLE);
}
