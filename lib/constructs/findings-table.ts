// The findings table: one item per analysisId and the incidents beside them (incidents-store.ts),
// by-service-and-time indexes for the API's lists, the sweep index of outbox work,
// TTL, point-in-time recovery and encryption at rest.

import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * Key layout shared with the findings repository adapter (lambdas/adapters); a test checks
 * that both sides agree, since lib/ does not import Lambda code.
 */
export const FINDINGS_KEYS = {
  partitionKey: 'pk',
  serviceIndex: 'byService',
  serviceKey: 'service',
  timeKey: 'at',
  ttlAttribute: 'expiresAt',
  /** What a list of findings shows; the Finding JSON itself stays out of the index. */
  listAttributes: ['analysisId', 'status', 'rootCause', 'systemHealth', 'summary'],
  /** Incidents by alarmed service: one index row per (incident, service). */
  incidentsIndex: 'incidentsByService',
  incidentServiceKey: 'incidentService',
  incidentTimeKey: 'incidentAt',
  incidentListAttributes: ['incidentId', 'status', 'rootCause', 'openedAt', 'lastActivityAt', 'alarmCount'],
  /** What the outbox sweeper visits (sparse): open incidents, unsent messages, unsent API findings. */
  sweepIndex: 'sweep',
  sweepKindKey: 'sweepKind',
  sweepTimeKey: 'sweepAt',
  sweepAttributes: ['incidentId', 'analysisId', 'status', 'lastActivityAt', 'pendingAt', 'pendingClaimedAt'],
  /** Issue 21 (sparse): findings by first root cause ("seen before") and verdict records by time (accuracy). */
  historyIndex: 'history',
  historyKey: 'historyKey',
  historyTimeKey: 'historyAt',
  historyAttributes: ['analysisId', 'service', 'rootCause', 'feedback'],
} as const;

export interface FindingsTableProps {
  /** @default RemovalPolicy.RETAIN — findings outlive a stack deletion unless told otherwise */
  readonly removalPolicy?: RemovalPolicy;
}

export class FindingsTable extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: FindingsTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: FINDINGS_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: FINDINGS_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      deletionProtection: false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [
        {
          indexName: FINDINGS_KEYS.serviceIndex,
          partitionKey: { name: FINDINGS_KEYS.serviceKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: FINDINGS_KEYS.timeKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: [...FINDINGS_KEYS.listAttributes],
        },
        {
          indexName: FINDINGS_KEYS.incidentsIndex,
          partitionKey: { name: FINDINGS_KEYS.incidentServiceKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: FINDINGS_KEYS.incidentTimeKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: [...FINDINGS_KEYS.incidentListAttributes],
        },
        {
          indexName: FINDINGS_KEYS.sweepIndex,
          partitionKey: { name: FINDINGS_KEYS.sweepKindKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: FINDINGS_KEYS.sweepTimeKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: [...FINDINGS_KEYS.sweepAttributes],
        },
        {
          indexName: FINDINGS_KEYS.historyIndex,
          partitionKey: { name: FINDINGS_KEYS.historyKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: FINDINGS_KEYS.historyTimeKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: [...FINDINGS_KEYS.historyAttributes],
        },
      ],
    });
  }
}
