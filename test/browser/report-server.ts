// A local HTTP server for the browser tests: the real API `route` (lambdas/handlers/api.ts) over an
// in-memory findings repository, so the browser gets the report exactly as API Gateway would
// serve it, Content-Security-Policy header included. `/files/NAME` serves pre-rendered pages
// (the CLI's `--format html` output) under the same policy.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Finding } from '../../lambdas/core/model.ts';
import { route } from '../../lambdas/handlers/api.ts';
import { REPORT_CSP } from '../../lambdas/handlers/report-html.ts';
import { apiEvent, FakeWorkflowStarter, MemoryFindingsRepository } from '../handlers/fakes.ts';

export interface ReportServer {
  readonly url: string;
  /** Every request the server answered, as `METHOD path`. */
  readonly requests: readonly string[];
  stop(): Promise<void>;
}

export async function startReportServer(
  findings: readonly Finding[],
  files: Readonly<Record<string, string>> = {},
): Promise<ReportServer> {
  const repository = new MemoryFindingsRepository();
  for (const f of findings) await repository.put(f);
  const deps = {
    repository,
    starter: new FakeWorkflowStarter(),
    newId: () => 'api-test',
    now: () => new Date('2026-11-20T04:00:00Z'),
  };
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push(`${method} ${path}`);
    const file = path.startsWith('/files/')
      ? files[decodeURIComponent(path.slice('/files/'.length))]
      : undefined;
    if (file !== undefined) {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': REPORT_CSP,
      });
      res.end(file);
      return;
    }
    route(apiEvent(method, path), deps).then(
      (out) => {
        res.writeHead(out.statusCode, out.headers as Record<string, string>);
        res.end(out.body);
      },
      (err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((ok, fail) => server.close((err) => (err ? fail(err) : ok()))),
  };
}
