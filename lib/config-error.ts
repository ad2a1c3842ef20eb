// The error a bad configuration throws, from cdk.json context or from the construct's props. In a
// file of its own so that the package's type declarations need no zod (lib/index.ts).

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
