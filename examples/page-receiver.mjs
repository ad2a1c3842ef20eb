// A tiny receiver of cascade-analyzer's pages, for `demo --page-to` (docs/paging.md). Plain Node,
// no dependencies: it prints each PagerDuty event or webhook document it gets, checks a webhook's
// signature and timestamp, and remembers message ids so that a page sent twice is taken once.
//
//   node examples/page-receiver.mjs            # listens on 127.0.0.1:8787 (PORT to change it)
//   npx cascade-analyzer demo --page-to http://127.0.0.1:8787/v2/enqueue    # PagerDuty's shape
//   npx cascade-analyzer demo --page-to http://127.0.0.1:8787/hooks/cascade # the signed webhook
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

// The demo's signing key unless CASCADE_PAGE_SECRET is set (set it for both processes).
const SECRET = process.env.CASCADE_PAGE_SECRET || 'cascade-analyzer-demo-webhook-secret';
const TOLERANCE_SECONDS = 300;
const seen = new Set();

function verify(headers, body) {
  const timestamp = headers['x-cascade-timestamp'] ?? '';
  const signature = headers['x-cascade-signature'] ?? '';
  if (!/^\d+$/.test(timestamp)) return 'no timestamp';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return 'too old: a replay?';
  const expected = `v1=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
  const ok =
    signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
  return ok ? undefined : 'bad signature';
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    if (req.url?.endsWith('/v2/enqueue')) {
      const event = JSON.parse(body);
      console.log(`pagerduty ${event.event_action} ${event.dedup_key}: ${event.payload?.summary ?? ''}`);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }));
      return;
    }
    const problem = verify(req.headers, body);
    if (problem !== undefined) {
      console.log(`webhook refused: ${problem}`);
      res.writeHead(401).end();
      return;
    }
    const doc = JSON.parse(body);
    // The sender may send a message again (its retry after a crash): the id says it is the same one.
    console.log(
      `webhook ${doc.id} ${doc.kind}${seen.has(doc.id) ? ' (again: ignored)' : ''}: ${doc.summary}`,
    );
    seen.add(doc.id);
    res.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
