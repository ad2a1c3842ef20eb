// CloudTrail LookupEvents responses → the changes to running services, and which graph services
// each one touched.

import {
  at,
  cmp,
  EvidenceInputError,
  isObj,
  object,
  optList,
  optString,
  optTime,
  pagesOf,
} from './fields.ts';

/**
 * The CloudTrail events that change a running service: the one list the change source queries
 * (one LookupEvents attribute per request, so one query per name) and the parser keeps. Lambda's
 * events carry the API version in their CloudTrail names.
 */
export const CHANGE_EVENTS = [
  { source: 'lambda.amazonaws.com', name: 'UpdateFunctionCode20150331v2', what: 'Lambda code update' },
  {
    source: 'lambda.amazonaws.com',
    name: 'UpdateFunctionConfiguration20150331v2',
    what: 'Lambda configuration update',
  },
  { source: 'lambda.amazonaws.com', name: 'PublishVersion20150331', what: 'Lambda version published' },
  { source: 'lambda.amazonaws.com', name: 'UpdateAlias20150331', what: 'Lambda alias moved' },
  { source: 'lambda.amazonaws.com', name: 'CreateAlias20150331', what: 'Lambda alias created' },
  { source: 'ecs.amazonaws.com', name: 'UpdateService', what: 'ECS service update' },
  { source: 'ecs.amazonaws.com', name: 'RegisterTaskDefinition', what: 'ECS task definition registered' },
  { source: 'codedeploy.amazonaws.com', name: 'CreateDeployment', what: 'CodeDeploy deployment' },
  { source: 'appconfig.amazonaws.com', name: 'StartDeployment', what: 'AppConfig deployment' },
  { source: 'cloudformation.amazonaws.com', name: 'UpdateStack', what: 'CloudFormation stack update' },
  { source: 'cloudformation.amazonaws.com', name: 'ExecuteChangeSet', what: 'CloudFormation change set' },
  { source: 'ssm.amazonaws.com', name: 'PutParameter', what: 'SSM parameter write' },
  { source: 'dynamodb.amazonaws.com', name: 'UpdateTable', what: 'DynamoDB table update' },
  { source: 'apigateway.amazonaws.com', name: 'CreateDeployment', what: 'API Gateway deployment' },
  { source: 'apigateway.amazonaws.com', name: 'UpdateStage', what: 'API Gateway stage update' },
] as const;

/** The distinct event names to look up (CodeDeploy and API Gateway share `CreateDeployment`). */
export const CHANGE_EVENT_NAMES: readonly string[] = [...new Set(CHANGE_EVENTS.map((e) => e.name))].sort();

/** Names without CloudTrail's API-version suffix (`UpdateFunctionCode20150331v2` → `UpdateFunctionCode`). */
const baseName = (name: string) => name.replace(/\d{8}(v\d+)?$/, '');

function kindOf(source: string | undefined, name: string): string | undefined {
  const base = baseName(name);
  const match = CHANGE_EVENTS.find(
    (e) => baseName(e.name) === base && (source === undefined || e.source === source),
  );
  return match?.what;
}

export interface ChangeEvent {
  readonly id: string;
  readonly eventName: string;
  readonly source: string;
  /** What kind of change, from CHANGE_EVENTS. */
  readonly what: string;
  /** Epoch ms. */
  readonly at: number;
  readonly who: string;
  /** Resource names and ARNs the event names: `Resources[]` and the request's identifying parameters. */
  readonly resources: readonly string[];
}

export interface ChangeEvents {
  /** Changes from CHANGE_EVENTS, newest first, ties by id. */
  readonly events: readonly ChangeEvent[];
  /** Events read that are not changes to a running service. */
  readonly ignored: number;
}

/** Request parameters that name the changed resource, per service API. */
export const NAMING_PARAMETERS: readonly string[] = [
  'functionName',
  'service',
  'cluster',
  'family',
  'applicationName',
  'deploymentGroupName',
  'applicationId',
  'environmentId',
  'stackName',
  'name',
  'tableName',
  'restApiId',
  'stageName',
];

/** Reads a LookupEvents response (wire JSON, SDK output or AWS CLI output) or a list of its pages. */
export function parseLookupEvents(input: unknown): ChangeEvents {
  const byId = new Map<string, ChangeEvent>();
  let ignored = 0;
  for (const { page, path } of pagesOf(input, 'Events', 'a CloudTrail LookupEvents response')) {
    optList(page.Events, at(path, 'Events')).forEach((raw, i) => {
      const field = at(at(path, 'Events'), i);
      const event = readEvent(raw, field);
      if (event === undefined) ignored++;
      else byId.set(event.id, event);
    });
  }
  const events = [...byId.values()].sort((a, b) => b.at - a.at || cmp(a.id, b.id));
  return { events, ignored };
}

function readEvent(raw: unknown, field: string): ChangeEvent | undefined {
  const e = object(raw, field);
  const name = optString(e.EventName, at(field, 'EventName'));
  if (name === undefined)
    throw new EvidenceInputError(at(field, 'EventName'), 'missing: every event has a name');
  const time = optTime(e.EventTime, at(field, 'EventTime'));
  if (time === undefined)
    throw new EvidenceInputError(at(field, 'EventTime'), 'missing: every event has a time');
  let source = optString(e.EventSource, at(field, 'EventSource'));
  const detail = readDetail(e.CloudTrailEvent, at(field, 'CloudTrailEvent'));
  source ??= typeof detail.eventSource === 'string' ? detail.eventSource : undefined;
  const what = kindOf(source, name);
  if (what === undefined) return undefined;
  const resources: string[] = [];
  optList(e.Resources, at(field, 'Resources')).forEach((r, i) => {
    const rf = at(at(field, 'Resources'), i);
    const n = optString(object(r, rf).ResourceName, at(rf, 'ResourceName'));
    if (n !== undefined && n !== '') resources.push(n);
  });
  const params = isObj(detail.requestParameters) ? detail.requestParameters : {};
  for (const p of NAMING_PARAMETERS) {
    const v = params[p];
    if (typeof v === 'string' && v !== '') resources.push(v);
  }
  const who =
    optString(e.Username, at(field, 'Username')) ??
    (isObj(detail.userIdentity) && typeof detail.userIdentity.arn === 'string'
      ? detail.userIdentity.arn
      : 'unknown');
  const id = optString(e.EventId, at(field, 'EventId')) ?? `${name}@${time}`;
  return {
    id,
    eventName: name,
    source: source ?? 'unknown',
    what,
    at: time,
    who,
    resources: [...new Set(resources)],
  };
}

/** CloudTrailEvent is the full record as a JSON string; absent or unreadable, it is simply not used. */
function readDetail(v: unknown, field: string): Record<string, unknown> {
  const text = optString(v, field);
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isObj(parsed) ? parsed : {};
  } catch {
    throw new EvidenceInputError(field, 'expected the CloudTrail record as a JSON string');
  }
}

/**
 * The short names an ARN or resource path stands for: `arn:…:function:pay:live` → `pay`,
 * `arn:…:service/cluster/checkout` → `checkout`, `/config/pay/flags` → itself and `flags`.
 */
export function resourceNames(resource: string): string[] {
  const out = new Set<string>([resource]);
  if (resource.startsWith('arn:')) {
    const rest = resource.split(':').slice(5).join(':');
    const fn = /^function:([^:]+)/.exec(rest);
    if (fn?.[1]) out.add(fn[1]);
    const last = rest.split(/[/:]/).filter((p) => p !== '');
    const tail = last[last.length - 1];
    if (tail) out.add(tail);
  } else if (resource.includes('/')) {
    const tail = resource
      .split('/')
      .filter((p) => p !== '')
      .at(-1);
    if (tail) out.add(tail);
  }
  return [...out];
}

/**
 * The graph services a change touched: a resource whose name (or ARN's last part) equals a service
 * name — a Lambda function's name is its X-Ray name — plus the configured mapping from resource
 * names or ARNs to service names, for everything else (an SSM parameter, a task definition family).
 */
export function servicesTouched(
  event: ChangeEvent,
  services: ReadonlySet<string>,
  mapping: Readonly<Record<string, readonly string[]>> = {},
): string[] {
  const out = new Set<string>();
  for (const r of event.resources) {
    for (const name of resourceNames(r)) {
      if (services.has(name)) out.add(name);
      for (const mapped of mapping[name] ?? []) out.add(mapped);
    }
  }
  return [...out].sort(cmp);
}
