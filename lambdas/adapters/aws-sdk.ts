// The AWS SDK v3 packages, loaded with require(). The SDK ships CommonJS: imported from an ES
// module, Node first scans each package's whole dist-cjs/index.js for its export names
// (cjs-module-lexer), about half of a bundle's cold import; require() skips that scan. Each adapter
// destructures what it uses from a literal package name, so a bundle still shows which commands it
// sends (test/infra/permissions.ts reads them from there).

import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** `awsSdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3')`. */
export function awsSdk<T>(name: `@aws-sdk/${string}`): T {
  return load(name) as T;
}
