// Resolves the CloudFormation intrinsics the stack uses (Ref, Fn::GetAtt, Fn::Join, pseudo
// parameters) to local values. The in-process runtime names things after their logical ids; the
// bundled run passes the names and ARNs of the local resources it created.

export type Json = unknown;
type Obj = Record<string, Json>;
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Obj;
}

export interface ResolverOptions {
  readonly region: string;
  readonly account: string;
  readonly stackName: string;
  /** A resource's `Ref` when it is not the default (its name property, else its logical id). */
  readonly ref?: (logicalId: string, resource: TemplateResource) => string | undefined;
  /** A resource's attribute when it is not the default (a Lambda function's ARN names its logical id). */
  readonly getAtt?: (logicalId: string, attribute: string, resource: TemplateResource) => string | undefined;
}

const NAME_PROPS = ['AlarmName', 'TableName', 'TopicName', 'BucketName', 'QueueName', 'FunctionName'];

export function resolver(
  resources: Readonly<Record<string, TemplateResource>>,
  options: ResolverOptions,
): (value: Json) => Json {
  const { region, account } = options;
  const PSEUDO: Record<string, string> = {
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': options.stackName,
  };
  const ref = (id: string): string => {
    const pseudo = PSEUDO[id];
    if (pseudo !== undefined) return pseudo;
    const r = resources[id];
    if (r === undefined) throw new Error(`Ref to ${id}, which is not in the template`);
    const given = options.ref?.(id, r);
    if (given !== undefined) return given;
    for (const prop of NAME_PROPS) {
      const name = r.Properties?.[prop];
      if (typeof name === 'string') return name;
    }
    return id;
  };
  const getAtt = (id: string, attr: string): string => {
    const r = resources[id];
    if (r === undefined) throw new Error(`Fn::GetAtt on ${id}, which is not in the template`);
    const given = options.getAtt?.(id, attr, r);
    if (given !== undefined) return given;
    if (r.Type === 'AWS::Lambda::Function' && attr === 'Arn') {
      return `arn:aws:lambda:${region}:${account}:function:${id}`;
    }
    return `${id}.${attr}`;
  };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const obj = value as Obj;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      if ('Ref' in obj) return ref(String(obj.Ref));
      if ('Fn::GetAtt' in obj) {
        const [id, attr] = obj['Fn::GetAtt'] as [string, string];
        return getAtt(id, attr);
      }
      if ('Fn::Join' in obj) {
        const [sep, parts] = obj['Fn::Join'] as [string, Json[]];
        return parts.map((p) => String(resolve(p))).join(sep);
      }
      const fn = keys[0] as string;
      if (fn.startsWith('Fn::')) throw new Error(`the local runtime cannot resolve ${fn}`);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}
