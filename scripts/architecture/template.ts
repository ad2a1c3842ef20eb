// Reads what the architecture picture needs out of a synthesized CloudFormation template: which
// resources a value refers to, readable names for logical ids, and IAM access per Lambda function.
// Plain JSON in, plain data out: no aws-cdk-lib, so the drawing is testable on hand-made templates.

export type Json = unknown;
export type JsonObject = Readonly<Record<string, Json>>;

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
}

export type Resources = Readonly<Record<string, CfnResource>>;

export function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The template's resources, or a clear error when `template` is not a template. */
export function resourcesOf(template: object): Resources {
  const resources = (template as { Resources?: Json }).Resources;
  if (!isObject(resources)) throw new Error('not a CloudFormation template: it has no Resources object');
  const out: Record<string, CfnResource> = {};
  for (const [id, r] of Object.entries(resources)) {
    if (!isObject(r) || typeof r.Type !== 'string') throw new Error(`resource ${id} has no Type`);
    out[id] = r as unknown as CfnResource;
  }
  return out;
}

/** Logical ids in sorted order: the picture must not depend on the order of the template's keys. */
export function sortedIds(resources: Resources, type?: string | readonly string[]): string[] {
  const types = type === undefined ? undefined : typeof type === 'string' ? [type] : type;
  return Object.keys(resources)
    .filter((id) => types === undefined || types.includes((resources[id] as CfnResource).Type))
    .sort();
}

export function props(resources: Resources, id: string): JsonObject {
  return resources[id]?.Properties ?? {};
}

/**
 * Every logical id `value` refers to, through Ref, Fn::GetAtt or Fn::Sub, at any depth. Pseudo
 * parameters (AWS::Region…) are left out: they name no resource.
 */
export function refsIn(value: Json): Set<string> {
  const found = new Set<string>();
  const walk = (v: Json): void => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
      return;
    }
    if (!isObject(v)) return;
    const ref = v.Ref;
    if (typeof ref === 'string' && !ref.startsWith('AWS::')) found.add(ref);
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
    if (typeof getAtt === 'string') found.add(getAtt.split('.')[0] as string);
    const sub = v['Fn::Sub'];
    const subText = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : undefined;
    if (typeof subText === 'string') {
      for (const m of subText.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g))
        found.add(m[1] as string);
    }
    for (const child of Object.values(v)) walk(child);
  };
  walk(value);
  return found;
}

/** The construct path part of a logical id: CDK appends 8 hex digits of the path's hash. */
export function stripHash(logicalId: string): string {
  const stripped = logicalId.replace(/[0-9A-F]{8}$/, '');
  return stripped.length > 0 ? stripped : logicalId;
}

const ACRONYMS: Readonly<Record<string, string>> = {
  api: 'API',
  dlq: 'DLQ',
  sns: 'SNS',
  sqs: 'SQS',
  kms: 'KMS',
  s3: 'S3',
};

/** `FindingsTableBD064B5B` → `Findings table`: the id CDK derived from the construct path, as words. */
export function readableName(logicalId: string): string {
  const words = stripHash(logicalId).match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [logicalId];
  return words
    .map((w, i) => ACRONYMS[w.toLowerCase()] ?? (i === 0 ? w : w.toLowerCase()))
    .join(' ')
    .replace(/^./, (c) => c.toUpperCase());
}

export type AccessMode = 'read' | 'write';

/** What one function's role may do to one resource, and the environment variables naming it. */
export interface Access {
  readonly actions: readonly string[];
  readonly modes: ReadonlySet<AccessMode>;
  readonly envVars: readonly string[];
}

/** Reads leave the resource as it was; everything else (Put, Update, Publish, Start…) changes it. */
export function accessMode(action: string): AccessMode {
  const verb = action.split(':')[1] ?? action;
  return /^(Get|List|Query|Scan|BatchGet|Describe|Receive|Head)/.test(verb) ? 'read' : 'write';
}

function asArray(value: Json): Json[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Allow statements of the policies attached to `roleId`: inline ones and AWS::IAM::Policy resources. */
function roleStatements(resources: Resources, roleId: string): JsonObject[] {
  const documents: Json[] = [];
  for (const policy of asArray(props(resources, roleId).Policies)) {
    if (isObject(policy)) documents.push(policy.PolicyDocument);
  }
  for (const id of sortedIds(resources, ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'])) {
    const p = props(resources, id);
    if (refsIn(p.Roles).has(roleId)) documents.push(p.PolicyDocument);
  }
  return documents
    .flatMap((d) => (isObject(d) ? asArray(d.Statement) : []))
    .filter((s): s is JsonObject => isObject(s) && s.Effect === 'Allow');
}

/**
 * For one Lambda function: each resource of the template its role may act on, with the actions,
 * and the environment variables that hand the function that resource's name or ARN.
 */
export function functionAccess(resources: Resources, functionId: string): Map<string, Access> {
  const p = props(resources, functionId);
  const actionsOn = new Map<string, Set<string>>();
  for (const roleId of [...refsIn(p.Role)].sort()) {
    if (resources[roleId]?.Type !== 'AWS::IAM::Role') continue;
    for (const statement of roleStatements(resources, roleId)) {
      const actions = asArray(statement.Action).filter((a): a is string => typeof a === 'string');
      for (const target of refsIn(statement.Resource)) {
        const set = actionsOn.get(target) ?? new Set<string>();
        for (const a of actions) set.add(a);
        actionsOn.set(target, set);
      }
    }
  }
  const envOf = new Map<string, string[]>();
  const variables = isObject(p.Environment) ? p.Environment.Variables : undefined;
  if (isObject(variables)) {
    for (const name of Object.keys(variables).sort()) {
      for (const target of refsIn(variables[name])) envOf.set(target, [...(envOf.get(target) ?? []), name]);
    }
  }
  const out = new Map<string, Access>();
  for (const target of [...actionsOn.keys()].sort()) {
    const actions = [...(actionsOn.get(target) as Set<string>)].sort();
    out.set(target, {
      actions,
      modes: new Set(actions.map(accessMode)),
      envVars: envOf.get(target) ?? [],
    });
  }
  return out;
}
