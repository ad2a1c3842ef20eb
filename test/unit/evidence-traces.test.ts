// X-Ray trace summaries: the parser reads what GetTraceSummaries, the SDK and the AWS CLI send (the
// real capture included), and the vote counts each root-cause field per service.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvidenceInputError } from '../../lambdas/core/evidence/fields.ts';
import { exemplarFromTraces } from '../../lambdas/core/evidence/trace-detail.ts';
import { parseTraceSummaries, voteByService } from '../../lambdas/core/evidence/trace-summaries.ts';
import { type SummarySpec, traceSummaryJson } from '../../lambdas/simulator/trace-summaries.ts';
import { SHARED_DIR, sharedAvailable } from '../support/shared.ts';

const DIR = join(SHARED_DIR, 'fixtures/xray');
const present = sharedAvailable('fixtures/xray');
const capture = (file: string): unknown => JSON.parse(readFileSync(join(DIR, file), 'utf8'));

const trace = (id: string, causes: SummarySpec['causes'], responseTime = 1): SummarySpec => ({
  id,
  start: 1_795_143_600,
  responseTime,
  causes,
});

function inputError(fn: () => unknown): EvidenceInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EvidenceInputError);
    return err as EvidenceInputError;
  }
  throw new Error('expected an EvidenceInputError, but the input was accepted');
}

describe('Function: parseTraceSummaries', () => {
  describe.runIf(present)('on the real capture', () => {
    it('should read both traces of the developer guide capture, which have no root cause', () => {
      // Prepare
      const raw = capture('awsdocs-xray-devguide__gettracesummaries.json');
      // Act
      const parsed = parseTraceSummaries(raw);
      const votes = voteByService(parsed.summaries);
      // Assess
      expect(parsed.summaries.map((s) => s.id)).toEqual([
        '1-59602603-23fc5b688855d396af79b496',
        '1-59602606-a43a1ac52fc7ee0eea12a82c',
      ]);
      expect(parsed.tracesProcessed).toBe(2);
      expect(parsed.summaries.find((s) => s.id.endsWith('b496'))?.responseTime).toBe(3.232);
      expect(votes).toEqual({ tracesRead: 2, tracesWithRootCause: 0, services: [] });
    });

    it('should read the capture split into pages, and the capture with a root cause added, the same way', () => {
      // Prepare
      const raw = capture('awsdocs-xray-devguide__gettracesummaries.json') as {
        TraceSummaries: Record<string, unknown>[];
      };
      const [a, b] = raw.TraceSummaries;
      const withCause = {
        ...b,
        HasFault: true,
        FaultRootCauses: [
          {
            Services: [
              { Name: 'Scorekeep', EntityPath: [{ Name: 'Scorekeep', Exceptions: [{ Name: 'Boom' }] }] },
            ],
          },
        ],
      };
      // Act
      const parsed = parseTraceSummaries([
        { TraceSummaries: [a], TracesProcessedCount: 1 },
        { TraceSummaries: [withCause], TracesProcessedCount: 1 },
      ]);
      // Assess
      expect(parsed.summaries).toHaveLength(2);
      expect(voteByService(parsed.summaries).services).toEqual([
        expect.objectContaining({
          service: 'Scorekeep',
          traces: 1,
          exceptions: [{ name: 'Boom', count: 1 }],
        }),
      ]);
    });
  });

  it('should keep the latest revision of a trace repeated across pages', () => {
    // Prepare
    const early = traceSummaryJson({ ...trace('1-a', [{ kind: 'latency', service: 'api' }]), revision: 1 });
    const late = traceSummaryJson({ ...trace('1-a', [{ kind: 'fault', service: 'db' }]), revision: 3 });
    // Act
    const parsed = parseTraceSummaries([{ TraceSummaries: [late] }, { TraceSummaries: [early] }]);
    // Assess
    expect(parsed.summaries).toHaveLength(1);
    expect(parsed.summaries[0]?.causes.map((c) => c.service)).toEqual(['db']);
  });

  it.each([
    [{ Services: [] }, '', /not a GetTraceSummaries response/],
    [[], '', /empty list/],
    [{ TraceSummaries: {} }, 'TraceSummaries', /expected a list/],
    [{ TraceSummaries: [{ HasFault: true }] }, 'TraceSummaries[0].Id', /missing/],
    [{ TraceSummaries: [{ Id: '1-a', ResponseTime: -1 }] }, 'TraceSummaries[0].ResponseTime', /seconds/],
    [
      { TraceSummaries: [{ Id: '1-a', FaultRootCauses: [{ Services: [{ Name: 7 }] }] }] },
      'TraceSummaries[0].FaultRootCauses[0].Services[0].Name',
      /string/,
    ],
    [
      [{ TraceSummaries: [] }, { TraceSummaries: [{ Id: '1-a', StartTime: 'yesterday' }] }],
      '[1].TraceSummaries[0].StartTime',
      /epoch seconds/,
    ],
  ])('should refuse %j with an error naming %s', (input, field, problem) => {
    // Act
    const err = inputError(() => parseTraceSummaries(input));
    // Assess
    expect(err.field).toBe(field);
    expect(err.message).toMatch(problem);
  });
});

describe('Function: voteByService', () => {
  const summaries = () =>
    parseTraceSummaries({
      TraceSummaries: [
        trace('1-c', [{ kind: 'fault', service: 'payments', exceptions: [{ name: 'TimeoutError' }] }], 2.5),
        trace('1-a', [
          {
            kind: 'fault',
            service: 'payments',
            exceptions: [
              { name: 'TimeoutError', message: 'read timed out after 2000 ms' },
              { name: 'IOError' },
            ],
          },
        ]),
        trace('1-b', [{ kind: 'error', service: 'cart', exceptions: [{ name: 'ValidationError' }] }], 0.2),
        trace('1-d', [{ kind: 'latency', service: 'payments' }], 9),
        trace('1-e', [
          { kind: 'latency', service: 'cart' },
          { kind: 'error', service: 'cart', exceptions: [{ name: 'ValidationError' }] },
        ]),
        trace('1-f', []),
      ].map(traceSummaryJson),
    }).summaries;

  it('should count each root-cause field per service, a trace once per service', () => {
    // Act
    const votes = voteByService(summaries());
    // Assess
    expect(votes.tracesRead).toBe(6);
    expect(votes.tracesWithRootCause).toBe(5);
    expect(votes.services.map((s) => [s.service, s.traces, s.share, s.byKind])).toEqual([
      ['payments', 3, 0.6, { fault: 2, error: 0, latency: 1 }],
      ['cart', 2, 0.4, { fault: 0, error: 2, latency: 1 }],
    ]);
  });

  it('should list exceptions by traces that threw them, and exemplars faulty first, then slower first', () => {
    // Act
    const payments = voteByService(summaries()).services[0];
    // Assess
    expect(payments?.exceptions).toEqual([
      { name: 'TimeoutError', count: 2 },
      { name: 'IOError', count: 1 },
    ]);
    expect(payments?.exemplars).toEqual(['1-c', '1-a', '1-d']);
    expect(payments?.message).toBe('read timed out after 2000 ms');
  });

  it('should bound exceptions, exemplars and the message', () => {
    // Prepare
    const many = parseTraceSummaries({
      TraceSummaries: Array.from({ length: 10 }, (_, i) =>
        traceSummaryJson(
          trace(`1-${i}`, [
            { kind: 'fault', service: 'api', exceptions: [{ name: `E${i}`, message: 'x'.repeat(1000) }] },
          ]),
        ),
      ),
    }).summaries;
    // Act
    const api = voteByService(many, { maxExceptions: 2, maxExemplars: 3, maxMessageChars: 50 }).services[0];
    // Assess
    expect(api?.exceptions).toHaveLength(2);
    expect(api?.exemplars).toHaveLength(3);
    expect(api?.message).toHaveLength(50);
  });

  it('should give the same vote whatever the order of the summaries', () => {
    // Act
    const forward = voteByService(summaries());
    const backward = voteByService([...summaries()].reverse());
    // Assess
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
  });
});

describe('Function: exemplarFromTraces', () => {
  const failing = (fault: boolean) => ({
    Traces: [
      {
        Id: '1-x',
        Segments: [
          {
            Id: 's1',
            Document: JSON.stringify({
              name: 'payments',
              fault,
              http: { request: { method: 'POST', url: 'https://pay.example.com/charge?x=1' } },
              subsegments: [
                {
                  name: 'DynamoDB',
                  fault,
                  aws: { operation: 'UpdateItem' },
                  cause: {
                    exceptions: [
                      { type: 'ProvisionedThroughputExceededException', message: 'y'.repeat(900) },
                    ],
                  },
                },
              ],
            }),
          },
        ],
      },
    ],
  });

  it('should name the deepest failing subsegment, its operation and its exception, bounded', () => {
    // Act
    const detail = exemplarFromTraces(failing(true), '1-x', 'payments');
    // Assess
    expect(detail).toMatchObject({
      traceId: '1-x',
      exception: 'ProvisionedThroughputExceededException',
      operation: 'DynamoDB UpdateItem',
    });
    expect(detail?.message).toHaveLength(300);
  });

  it('should find nothing in a trace that records no failure, or for another trace id', () => {
    // Act & Assess
    expect(exemplarFromTraces(failing(false), '1-x', 'payments')).toBeUndefined();
    expect(exemplarFromTraces(failing(true), '1-other', 'payments')).toBeUndefined();
  });

  it.runIf(present)(
    'should read the real BatchGetTraces captures, and a failure set on one of their subsegments',
    () => {
      // Prepare
      const raw = capture('aws-cli-examples__batchgettraces-scorekeep-dynamodb.json') as {
        Traces: { Id: string; Segments: { Document: string }[] }[];
      };
      const t = raw.Traces[0] as { Id: string; Segments: { Document: string }[] };
      const seg = JSON.parse(t.Segments[0]?.Document ?? '{}') as { subsegments: Record<string, unknown>[] };
      const sub = seg.subsegments[0] as Record<string, unknown>;
      Object.assign(sub, {
        fault: true,
        cause: { exceptions: [{ type: 'ResourceNotFoundException', message: 'no table' }] },
      });
      const broken = { Traces: [{ ...t, Segments: [{ ...t.Segments[0], Document: JSON.stringify(seg) }] }] };
      // Act
      const clean = exemplarFromTraces(raw, t.Id, 'Scorekeep');
      const detail = exemplarFromTraces(broken, t.Id, 'Scorekeep');
      // Assess
      expect(clean).toBeUndefined();
      expect(detail).toEqual({
        traceId: t.Id,
        exception: 'ResourceNotFoundException',
        message: 'no table',
        operation: 'DynamoDB UpdateItem',
      });
    },
  );

  it('should refuse a segment document that is not JSON, naming it', () => {
    // Act
    const err = inputError(() =>
      exemplarFromTraces({ Traces: [{ Id: '1-x', Segments: [{ Document: '{' }] }] }, '1-x', 'api'),
    );
    // Assess
    expect(err.field).toBe('Traces[0].Segments[0].Document');
  });
});
