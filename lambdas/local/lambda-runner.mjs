// One Lambda execution environment for the bundled local run (bundled.ts starts one per function):
// imports the function's deployed bundle with exactly the environment its template gives it (the
// parent sets it), which runs the cold start, then answers invocations over IPC one at a time as
// Lambda does. Plain JavaScript, so that it runs the same under the sources and the compiled CLI.
//
//   node lambda-runner.mjs <bundle file> <export name>

import { randomBytes, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [entry, exportName] = process.argv.slice(2);

/** What Lambda reports for an error: its type, message and the first lines of its trace. */
function describe(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: e.name || 'Error',
    errorMessage: e.message,
    trace: (e.stack ?? '').split('\n').slice(0, 10),
  };
}

let handler;
try {
  const mod = await import(pathToFileURL(entry).href);
  handler = mod[exportName];
  if (typeof handler !== 'function') throw new TypeError(`${entry} has no function export "${exportName}"`);
} catch (err) {
  // Runtime.ImportModuleError / an init failure: the function never starts.
  process.send({ type: 'init-error', error: describe(err) }, () => process.exit(1));
}

if (handler !== undefined) {
  let queue = Promise.resolve();
  process.on('message', (message) => {
    queue = queue.then(() => invoke(message));
  });
  process.send({ type: 'ready' });
}

async function invoke({ id, event }) {
  const requestId = randomUUID();
  // Lambda sets a new trace header per invocation; not sampled, so nothing is sent.
  process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
  const deadline = Date.now() + Number(process.env.CASCADE_LAMBDA_TIMEOUT_MS ?? 30_000);
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const result = await handler(event, context);
    process.send({ type: 'result', id, result: result === undefined ? null : result });
  } catch (err) {
    process.send({ type: 'error', id, error: describe(err) });
  }
}
