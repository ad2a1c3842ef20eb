// Findings into DynamoDB: one item per analysisId (conditional put; a result supersedes a FAILED
// finding, never the reverse). Items stay under
// DynamoDB's 400 KB limit by compacting very large findings instead of failing.

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { Finding, ServiceHealth } from '../core/model.ts';
import { awsSdk } from './aws-sdk.ts';
import { isConditionFailure } from './dynamo-pages.ts';
import { AT, type AttributeValue, FindingsTable, PK, SERVICE, TTL } from './findings-table.ts';
import {
  analysisKey,
  byServiceSortKey,
  FINDINGS_TABLE_SCHEMA,
  findingService,
  historyCauseKey,
  SWEEP_KINDS,
} from './findings-table-schema.ts';
import type { FindingsWriter, PutOutcome } from './ports.ts';

const { ConditionalCheckFailedException, PutItemCommand } =
  awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

/** The Finding JSON's budget in UTF-8 bytes: the rest of the 400 KB item is keys and list fields. */
export const MAX_FINDING_BYTES = 300 * 1024;
const SUMMARY_MAX_CHARS = 2000;
const SWEEP = FINDINGS_TABLE_SCHEMA.sweepIndex;
const HISTORY = FINDINGS_TABLE_SCHEMA.historyIndex;
const DAY_SECONDS = 86_400;

export class DynamoFindingsWriter extends FindingsTable implements FindingsWriter {
  async put(finding: Finding): Promise<PutOutcome> {
    const now = this.now();
    const at = finding.window?.end ? normalizeIso(finding.window.end) : now.toISOString();
    const { finding: stored, truncated } = compactFinding(finding, MAX_FINDING_BYTES);
    const rootCause = finding.rootCauses[0]?.service;
    const item: Record<string, AttributeValue> = {
      [PK]: { S: analysisKey(finding.analysisId) },
      [SERVICE]: { S: findingService(finding) },
      [AT]: { S: byServiceSortKey(at, finding.analysisId) },
      analysisId: { S: finding.analysisId },
      status: { S: finding.status },
      ...(rootCause !== undefined ? { rootCause: { S: rootCause } } : {}),
      systemHealth: { N: String(Number.isFinite(finding.systemHealth) ? finding.systemHealth : 0) },
      summary: { S: clip(finding.summary, SUMMARY_MAX_CHARS) },
      finding: { S: JSON.stringify(stored) },
      truncated: { BOOL: truncated },
      serviceCount: { N: String(finding.services.length) },
      storedAt: { S: now.toISOString() },
      // A finding no alarm started carries its own outbox: in the sweep index until it is sent.
      ...(finding.trigger.source !== 'alarm'
        ? {
            [SWEEP.partitionKey.name]: { S: SWEEP_KINDS.api },
            [SWEEP.sortKey.name]: { S: `${now.toISOString()}#${finding.analysisId}` },
          }
        : {}),
      // Findings by their first root cause, for "seen before" (issue 21): an index, not a scan.
      ...(rootCause !== undefined && finding.status === 'COMPLETED'
        ? {
            [HISTORY.partitionKey.name]: { S: historyCauseKey(rootCause) },
            [HISTORY.sortKey.name]: { S: byServiceSortKey(at, finding.analysisId) },
          }
        : {}),
      [TTL]: { N: String(Math.floor(now.getTime() / 1000) + this.retentionDays * DAY_SECONDS) },
    };
    const putIf = async (condition: string, values?: Record<string, AttributeValue>): Promise<boolean> => {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#pk': PK, ...(values ? { '#status': 'status' } : {}) },
            ...(values ? { ExpressionAttributeValues: values } : {}),
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || isConditionFailure(err)) return false;
        throw err;
      }
    };
    if (await putIf('attribute_not_exists(#pk)')) return 'created';
    // A result supersedes a FAILED finding (a transient failure, then a successful redelivery);
    // a FAILED one never replaces anything, and nothing replaces a result.
    if (finding.status !== 'FAILED') {
      if (await putIf('attribute_exists(#pk) AND #status = :failed', { ':failed': { S: 'FAILED' } })) {
        return 'superseded';
      }
    }
    return 'exists';
  }
}

function normalizeIso(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

// --- compaction: keep the key facts, shed the long lists ---

interface Caps {
  readonly services: number;
  readonly chain: number;
  readonly paths: number;
  readonly recommendations: number;
  /** Names per blast-radius list. */
  readonly blast: number;
  readonly rootCauses: number;
  readonly evidence: number;
  /** Characters per free-text field. */
  readonly text: number;
}

const ALL = Number.POSITIVE_INFINITY;
/** Tried in order; root causes stay whole until the last two, which only very odd graphs reach. */
const LEVELS: readonly Caps[] = [
  {
    services: 2000,
    chain: 2000,
    paths: 200,
    recommendations: 100,
    blast: ALL,
    rootCauses: ALL,
    evidence: ALL,
    text: ALL,
  },
  {
    services: 500,
    chain: 500,
    paths: 50,
    recommendations: 50,
    blast: ALL,
    rootCauses: ALL,
    evidence: ALL,
    text: ALL,
  },
  {
    services: 100,
    chain: 100,
    paths: 20,
    recommendations: 20,
    blast: ALL,
    rootCauses: ALL,
    evidence: ALL,
    text: ALL,
  },
  {
    services: 20,
    chain: 20,
    paths: 5,
    recommendations: 10,
    blast: 1000,
    rootCauses: ALL,
    evidence: ALL,
    text: 4000,
  },
  {
    services: 0,
    chain: 0,
    paths: 0,
    recommendations: 5,
    blast: 100,
    rootCauses: 100,
    evidence: 10,
    text: 2000,
  },
  { services: 0, chain: 0, paths: 0, recommendations: 0, blast: 10, rootCauses: 10, evidence: 3, text: 300 },
  { services: 0, chain: 0, paths: 0, recommendations: 0, blast: 0, rootCauses: 3, evidence: 1, text: 100 },
];

const ROLE_ORDER: Record<ServiceHealth['role'], number> = {
  origin: 0,
  propagator: 1,
  affected: 2,
  healthy: 3,
};

/**
 * The finding itself when its JSON fits `maxBytes`; otherwise a compacted copy: services limited to
 * the non-healthy ones, dependency chain and other lists shortened, status, summary and root causes
 * kept (root causes are only cut when nothing else is left to shed).
 */
export function compactFinding(finding: Finding, maxBytes: number): { finding: Finding; truncated: boolean } {
  if (byteLength(JSON.stringify(finding)) <= maxBytes) return { finding, truncated: false };
  const notHealthy = finding.services
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.role !== 'healthy' || s.unhealthy || s.anomalous)
    .sort((a, b) => ROLE_ORDER[a.s.role] - ROLE_ORDER[b.s.role] || a.i - b.i)
    .map(({ s }) => s);
  let compacted: Finding | undefined;
  for (const caps of LEVELS) {
    compacted = applyCaps(finding, notHealthy, caps);
    if (byteLength(JSON.stringify(compacted)) <= maxBytes) return { finding: compacted, truncated: true };
  }
  // Only absurd names get here (every list already cut to a handful): keep the identity and status.
  return {
    finding: {
      ...(compacted ?? finding),
      rootCauses: [],
      services: [],
      dependencyChain: [],
      cascade: { paths: [] },
      recommendations: [],
      summary: clip(finding.summary, 1000),
      ...(finding.error !== undefined ? { error: clip(finding.error, 1000) } : {}),
    },
    truncated: true,
  };
}

function applyCaps(f: Finding, notHealthy: readonly ServiceHealth[], caps: Caps): Finding {
  const text = (s: string): string => clip(s, caps.text);
  return {
    ...f,
    summary: text(f.summary),
    ...(f.error !== undefined ? { error: text(f.error) } : {}),
    rootCauses: f.rootCauses.slice(0, cap(caps.rootCauses)).map((rc) => ({
      ...rc,
      evidence: rc.evidence.slice(0, cap(caps.evidence)).map((e) => ({ ...e, text: text(e.text) })),
      blastRadius: {
        ...rc.blastRadius,
        affected: rc.blastRadius.affected.slice(0, cap(caps.blast)),
        atRisk: rc.blastRadius.atRisk.slice(0, cap(caps.blast)),
        entryPoints: rc.blastRadius.entryPoints.slice(0, cap(caps.blast)),
      },
    })),
    services: notHealthy.slice(0, cap(caps.services)),
    dependencyChain: f.dependencyChain.slice(0, cap(caps.chain)),
    cascade: { paths: f.cascade.paths.slice(0, cap(caps.paths)) },
    recommendations: f.recommendations
      .slice(0, cap(caps.recommendations))
      .map((r) => ({ ...r, text: text(r.text) })),
  };
}

function cap(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}

function clip(s: string, max: number): string {
  if (!Number.isFinite(max) || s.length <= max) return s;
  return `${s.slice(0, Math.max(0, max - 1))}…`;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
