// DynamoFindingsRepository against two real local DynamoDB servers: dynalite (the embedded default)
// and the official DynamoDB Local. The same suite runs on both.

import { DescribeTimeToLiveCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compactFinding,
  createDynamoDBClient,
  DynamoFindingsRepository,
  encodeNext,
  MAX_FINDING_BYTES,
} from '../../lambdas/adapters/findings-repository.ts';
import { FINDINGS_TABLE_SCHEMA } from '../../lambdas/adapters/findings-table-schema.ts';
import { BadRequestError } from '../../lambdas/adapters/ports.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import {
  clientOptions,
  createFindingsTable,
  type LocalServer,
  startDynalite,
  startDynamoDbLocal,
} from '../support/local-servers.ts';
import { largeFinding, makeFinding } from './findings-kit.ts';

const NOW = new Date('2026-11-20T04:00:00.000Z');
const RETENTION_DAYS = 90;
const TABLE = 'findings';

describe.each([
  { backend: 'dynalite', start: startDynalite, hasTtlApi: false },
  { backend: 'DynamoDB Local', start: startDynamoDbLocal, hasTtlApi: true },
])('Class: DynamoFindingsRepository on $backend', ({ start, hasTtlApi }) => {
  let server: LocalServer;
  let client: DynamoDBClient;
  let repo: DynamoFindingsRepository;
  let ttlEnabled: boolean;

  const rawItem = async (analysisId: string) =>
    (
      await client.send(
        new GetItemCommand({
          TableName: TABLE,
          Key: { pk: { S: `ANALYSIS#${analysisId}` } },
          ConsistentRead: true,
        }),
      )
    ).Item;

  beforeAll(async () => {
    server = await start();
    client = createDynamoDBClient(clientOptions(server.endpoint));
    ({ ttlEnabled } = await createFindingsTable(client, TABLE));
    repo = new DynamoFindingsRepository({
      client,
      tableName: TABLE,
      retentionDays: RETENTION_DAYS,
      now: () => NOW,
    });
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('should set the outbox flag of a stored finding once, and never on a missing one', async () => {
    // Prepare
    const id = 'outbox-1';
    await repo.put(makeFinding({ analysisId: id }));

    // Act
    const before = await repo.isNotified(id);
    const first = await repo.markNotified(id, 'm-1');
    const second = await repo.markNotified(id, 'm-2');
    const missing = await repo.markNotified('outbox-missing', 'm-3');

    // Assess
    expect([before, first, second, missing]).toEqual([false, true, false, false]);
    expect(await repo.isNotified(id)).toBe(true);
    expect(await repo.get('outbox-missing')).toBeUndefined();
  });

  it('should let a COMPLETED finding supersede a FAILED one, and never the reverse', async () => {
    // Prepare
    const id = 'supersede-1';
    const completed = makeFinding({ analysisId: id });
    const failed: Finding = {
      ...completed,
      status: 'FAILED',
      rootCauses: [],
      error: 'States.Timeout: the step timed out.',
    };

    // Act
    const first = await repo.put(failed);
    const second = await repo.put(completed);
    const third = await repo.put(failed);
    const fourth = await repo.put(completed);

    // Assess
    expect([first, second, third, fourth]).toEqual(['created', 'superseded', 'exists', 'exists']);
    expect((await repo.get(id))?.status).toBe('COMPLETED');
  });

  it('should store a new finding and say it was created', async () => {
    // Prepare
    const finding = makeFinding({ analysisId: 'new-1' });
    // Act
    const result = await repo.put(finding);
    // Assess
    expect(result).toBe('created');
    expect(await repo.get('new-1')).toEqual(finding);
  });

  it('should answer exists for an id already stored and leave the stored item unchanged', async () => {
    // Prepare: the second writer has another clock, so an overwrite would change storedAt and expiresAt.
    const first = makeFinding({ analysisId: 'dup-1', summary: 'first' });
    const later = new DynamoFindingsRepository({
      client,
      tableName: TABLE,
      retentionDays: 1,
      now: () => new Date('2026-12-01T00:00:00.000Z'),
    });
    await repo.put(first);
    const before = await rawItem('dup-1');
    // Act
    const result = await later.put(makeFinding({ analysisId: 'dup-1', summary: 'second', service: 'other' }));
    // Assess
    expect(result).toBe('exists');
    expect(await rawItem('dup-1')).toEqual(before);
    expect((await repo.get('dup-1'))?.summary).toBe('first');
  });

  it('should create exactly one finding when 20 puts of one id race', async () => {
    // Prepare
    const findings = Array.from({ length: 20 }, (_, i) =>
      makeFinding({ analysisId: 'race-1', summary: `writer ${i}` }),
    );
    // Act
    const results = await Promise.all(findings.map((f) => repo.put(f)));
    // Assess
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(results.filter((r) => r === 'exists')).toHaveLength(19);
    const winner = results.indexOf('created');
    expect((await repo.get('race-1'))?.summary).toBe(`writer ${winner}`);
  });

  it('should return undefined for an id never stored', async () => {
    // Act
    const found = await repo.get('never-stored');
    // Assess
    expect(found).toBeUndefined();
  });

  describe('listByService', () => {
    const ends = [
      '2026-11-20T01:00:00.000Z',
      '2026-11-20T02:00:00.000Z',
      '2026-11-20T03:00:00.000Z',
      '2026-11-20T04:00:00.000Z',
      '2026-11-20T05:00:00.000Z',
    ] as const;

    beforeAll(async () => {
      await Promise.all(
        ends.map((end, i) => repo.put(makeFinding({ analysisId: `list-${i}`, service: 'cart', end }))),
      );
      await repo.put(makeFinding({ analysisId: 'list-other', service: 'search', end: ends[2] }));
    });

    it('should list the service findings newest first with their summaries', async () => {
      // Act
      const page = await repo.listByService({ service: 'cart', limit: 10 });
      // Assess
      expect(page.items.map((i) => i.analysisId)).toEqual(['list-4', 'list-3', 'list-2', 'list-1', 'list-0']);
      expect(page.next).toBeUndefined();
      expect(page.items[0]).toEqual({
        analysisId: 'list-4',
        service: 'cart',
        status: 'COMPLETED',
        at: ends[4],
        rootCause: 'payment-api',
        systemHealth: 0.62,
        summary: makeFinding({ analysisId: 'x' }).summary,
      });
    });

    it('should keep only findings between from and to, both inclusive', async () => {
      // Act
      const page = await repo.listByService({ service: 'cart', from: ends[1], to: ends[3], limit: 10 });
      const onlyFrom = await repo.listByService({ service: 'cart', from: ends[3], limit: 10 });
      const onlyTo = await repo.listByService({ service: 'cart', to: '2026-11-20T02:00:00Z', limit: 10 });
      // Assess
      expect(page.items.map((i) => i.analysisId)).toEqual(['list-3', 'list-2', 'list-1']);
      expect(onlyFrom.items.map((i) => i.analysisId)).toEqual(['list-4', 'list-3']);
      expect(onlyTo.items.map((i) => i.analysisId)).toEqual(['list-1', 'list-0']);
    });

    it('should page through every finding two at a time with next', async () => {
      // Prepare
      const seen: string[] = [];
      let next: string | undefined;
      let pages = 0;
      // Act
      do {
        const page = await repo.listByService({ service: 'cart', limit: 2, ...(next ? { next } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => i.analysisId));
        next = page.next;
        pages++;
      } while (next !== undefined && pages < 10);
      // Assess
      expect(seen).toEqual(['list-4', 'list-3', 'list-2', 'list-1', 'list-0']);
      expect(pages).toBeGreaterThanOrEqual(3);
    });

    it.each([
      ['not base64url', 'not a token!'],
      ['not JSON', Buffer.from('{oops').toString('base64url')],
      ['a JSON list', Buffer.from('[1,2]').toString('base64url')],
      ['missing keys', encodeNext({ pk: { S: 'ANALYSIS#x' } })],
      [
        'another service',
        encodeNext({ pk: { S: 'ANALYSIS#x' }, service: { S: 'search' }, at: { S: 't#x' } }),
      ],
      [
        'a number key',
        Buffer.from('{"pk":{"N":"1"},"service":{"S":"cart"},"at":{"S":"t#x"}}').toString('base64url'),
      ],
    ])('should refuse a next token that is %s with BadRequestError', async (_what, next) => {
      // Act
      const act = repo.listByService({ service: 'cart', limit: 2, next });
      // Assess
      await expect(act).rejects.toBeInstanceOf(BadRequestError);
    });

    it('should refuse a bad limit or time bound with BadRequestError', async () => {
      // Act / Assess
      await expect(repo.listByService({ service: 'cart', limit: 0 })).rejects.toBeInstanceOf(BadRequestError);
      await expect(
        repo.listByService({ service: 'cart', limit: 2, from: 'yesterday' }),
      ).rejects.toBeInstanceOf(BadRequestError);
      await expect(
        repo.listByService({ service: 'cart', limit: 2, from: ends[3], to: ends[1] }),
      ).rejects.toBeInstanceOf(BadRequestError);
    });
  });

  it('should store a 10,000-service finding compacted, with its root causes, summary and status intact', async () => {
    // Prepare
    const big = largeFinding('big-1');
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(400 * 1024);
    // Act
    const result = await repo.put(big);
    const back = (await repo.get('big-1')) as Finding;
    const item = await rawItem('big-1');
    // Assess
    expect(result).toBe('created');
    expect(back.rootCauses).toEqual(big.rootCauses);
    expect(back.summary).toBe(big.summary);
    expect(back.status).toBe(big.status);
    expect(back.services.length).toBeLessThan(big.services.length);
    expect(back.services.map((s) => s.service)).toEqual(
      expect.arrayContaining(['svc-00000', 'svc-00001', 'svc-00002']),
    );
    expect(back.services.every((s) => s.role !== 'healthy')).toBe(true);
    expect(back.dependencyChain.length).toBeLessThan(big.dependencyChain.length);
    expect(item?.truncated).toEqual({ BOOL: true });
    expect(item?.serviceCount).toEqual({ N: '10000' });
    expect(Buffer.byteLength(item?.finding?.S ?? '')).toBeLessThanOrEqual(MAX_FINDING_BYTES);
  });

  it('should store even a finding whose root causes alone are over the item limit', async () => {
    // Prepare: 2,000 root causes with long evidence: no list of services to shed would be enough.
    const base = makeFinding({ analysisId: 'huge-rc' });
    const template = base.rootCauses[0] as Finding['rootCauses'][number];
    const huge: Finding = {
      ...base,
      rootCauses: Array.from({ length: 2000 }, (_, i) => ({
        ...template,
        rank: i + 1,
        service: `origin-${i}`,
        evidence: [
          {
            ...(template.evidence[0] as Finding['rootCauses'][number]['evidence'][number]),
            text: 'x'.repeat(500),
          },
        ],
      })),
    };
    // Act
    const result = await repo.put(huge);
    const back = (await repo.get('huge-rc')) as Finding;
    // Assess
    expect(result).toBe('created');
    expect(back.status).toBe('COMPLETED');
    expect(back.summary).toBe(huge.summary);
    expect(back.rootCauses[0]?.service).toBe('origin-0');
    expect(back.rootCauses.length).toBeLessThan(huge.rootCauses.length);
    expect(back.rootCauses.map((r) => r.rank)).toEqual(back.rootCauses.map((_, i) => i + 1));
    expect(compactFinding(huge, MAX_FINDING_BYTES).truncated).toBe(true);
  });

  it('should set the TTL attribute to the retention period after the put', async () => {
    // Prepare
    await repo.put(makeFinding({ analysisId: 'ttl-1' }));
    // Act
    const item = await rawItem('ttl-1');
    // Assess
    const expected = Math.floor(NOW.getTime() / 1000) + RETENTION_DAYS * 86_400;
    expect(item?.[FINDINGS_TABLE_SCHEMA.ttlAttribute]).toEqual({ N: String(expected) });
    expect(ttlEnabled).toBe(hasTtlApi);
    if (hasTtlApi) {
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(FINDINGS_TABLE_SCHEMA.ttlAttribute);
      expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
    }
  });

  it('should file a finding without a window under the time it was stored', async () => {
    // Prepare
    const finding: Finding = {
      ...makeFinding({ analysisId: 'nowindow-1', service: 'nowindow' }),
      window: null,
    };
    // Act
    await repo.put(finding);
    const page = await repo.listByService({ service: 'nowindow', limit: 5 });
    // Assess
    expect(page.items.map((i) => [i.analysisId, i.at])).toEqual([['nowindow-1', NOW.toISOString()]]);
  });
});
