// Paging: where incident messages go besides the topic (PagerDuty's Events API v2, a signed
// webhook) and the Secrets Manager secrets that hold their keys. The secrets exist already and are
// referenced by name or ARN; the functions that send incident messages get PAGING (names and ARNs
// only, never a key) and secretsmanager:GetSecretValue on exactly those secrets.

import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { AnalyzerFunction } from './analyzer-function.ts';

export interface PagingProps {
  /** PagerDuty Events API v2. @default no PagerDuty pages */
  readonly pagerDuty?: {
    /** Secret (name or full ARN) holding the routing key of services without their own. @default none */
    readonly routingKeySecret?: string;
    /** Watched service → secret holding its routing key. @default none */
    readonly services?: Readonly<Record<string, string>>;
    /** @default https://events.pagerduty.com/v2/enqueue */
    readonly url?: string;
  };
  /** The signed webhook. @default no webhook */
  readonly webhook?: {
    /** An https URL. */
    readonly url: string;
    /** Secret (name or full ARN) holding the signing key. */
    readonly secret: string;
  };
  /** Where a person opens an incident, `{incidentId}` replaced. @default the API path only */
  readonly incidentUrl?: string;
}

/** A secret's full ARN as given, or the ARN of a secret by that name (Secrets Manager adds a 6-character suffix). */
const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

export class Paging extends Construct {
  /** Whether any pager is configured. */
  public readonly enabled: boolean;
  /** The ARNs (or ARN patterns, for secrets given by name) the senders may read. */
  public readonly secretArns: readonly string[];
  private readonly settings: string;

  constructor(scope: Construct, id: string, props: PagingProps) {
    super(scope, id);
    const pd = props.pagerDuty;
    if (pd !== undefined && pd.routingKeySecret === undefined && Object.keys(pd.services ?? {}).length === 0)
      throw new Error(`Paging ${id}: pagerDuty needs routingKeySecret or services`);
    if (props.webhook !== undefined && !props.webhook.url.startsWith('https://'))
      throw new Error(`Paging ${id}: webhook.url must be an https URL, got ${props.webhook.url}`);
    const secrets = [
      ...(pd?.routingKeySecret !== undefined ? [pd.routingKeySecret] : []),
      ...Object.values(pd?.services ?? {}),
      ...(props.webhook !== undefined ? [props.webhook.secret] : []),
    ];
    for (const s of secrets) {
      if (s.startsWith('arn:') && !SECRET_ARN.test(s))
        throw new Error(
          `Paging ${id}: ${s} is not a full secret ARN (with its 6-character suffix); give the ARN as the console shows it, or the secret's name`,
        );
    }
    this.enabled = pd !== undefined || props.webhook !== undefined;
    this.secretArns = [...new Set(secrets)].sort().map((s) =>
      s.startsWith('arn:')
        ? s
        : Stack.of(this).formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            // By name: any suffix Secrets Manager gave it (six characters, as `?` matches one).
            resourceName: `${s}-??????`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
    );
    this.settings = JSON.stringify(props);
  }

  /** Gives `fn` the paging settings and read access to the paging secrets; nothing when paging is off. */
  enableFor(fn: AnalyzerFunction): void {
    if (!this.enabled) return;
    fn.function.addEnvironment('PAGING', this.settings);
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...this.secretArns],
      }),
    );
  }
}
