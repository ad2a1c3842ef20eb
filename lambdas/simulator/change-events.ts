// CloudTrail LookupEvents records for simulated and demo incidents: a deployment or configuration
// change, in the shape LookupEvents returns (the full record as a JSON string in CloudTrailEvent).

export interface ChangeSpec {
  readonly id: string;
  readonly eventName: string;
  readonly source: string;
  /** Epoch seconds. */
  readonly at: number;
  readonly who: string;
  readonly resourceType?: string;
  readonly resourceName: string;
  readonly requestParameters?: Readonly<Record<string, unknown>>;
}

/** One LookupEvents `Events[]` entry (wire shape, epoch seconds). */
export function lookupEventJson(spec: ChangeSpec): Record<string, unknown> {
  return {
    EventId: spec.id,
    EventName: spec.eventName,
    ReadOnly: 'false',
    EventTime: spec.at,
    EventSource: spec.source,
    Username: spec.who,
    Resources: [
      { ResourceType: spec.resourceType ?? 'AWS::Lambda::Function', ResourceName: spec.resourceName },
    ],
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.08',
      eventID: spec.id,
      eventName: spec.eventName,
      eventSource: spec.source,
      eventTime: new Date(spec.at * 1000).toISOString(),
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::123456789012:assumed-role/${spec.who}` },
      requestParameters: spec.requestParameters ?? {},
    }),
  };
}
