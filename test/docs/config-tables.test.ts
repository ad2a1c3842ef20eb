import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../lambdas/core/config.ts';
import { CONFIG_DEFAULTS, WatchedServiceConfigSchema } from '../../lib/config.ts';
import { ROOT } from '../support/cli.ts';

/** The rows of the Markdown table whose header starts with `firstHeader`: first cell → second. */
function table(page: string, firstHeader: string): Map<string, string> {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  expect(start, `${page} has a table headed "${firstHeader}"`).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [key = '', value = ''] = line
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim().replace(/^`(.*)`$/, '$1'));
    rows.set(key, value);
  }
  return rows;
}

const cdkContext = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;

describe('Docs: configuration tables', () => {
  it('should list every cdk.json key in docs/deploy.md with the default a deploy gets, and no other key', () => {
    // Act
    const rows = table('docs/deploy.md', 'key');

    // Assess
    expect([...rows.keys()].sort()).toEqual(Object.keys(CONFIG_DEFAULTS).sort());
    for (const [key, fallback] of Object.entries(CONFIG_DEFAULTS)) {
      expect(rows.get(key), key).toBe(JSON.stringify(cdkContext[key] ?? fallback));
    }
  });

  it('should list every field of a watched service in docs/deploy.md', () => {
    const rows = table('docs/deploy.md', 'field');
    expect([...rows.keys()].sort()).toEqual(Object.keys(WatchedServiceConfigSchema.shape).sort());
  });

  it('should list every analysis threshold in docs/analysis.md with its default', () => {
    const rows = table('docs/analysis.md', 'key');
    expect([...rows.keys()].sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
    for (const [key, value] of Object.entries(DEFAULT_CONFIG)) expect(rows.get(key), key).toBe(String(value));
  });
});

/** Each prop of an interface in a source file, with the text of its `@default` tag. */
function propDefaults(file: string, iface: string): Map<string, string> {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const start = source.indexOf(`export interface ${iface} {`);
  expect(start, `${file} declares ${iface}`).toBeGreaterThanOrEqual(0);
  const body = source.slice(start, source.indexOf('\n}\n', start));
  const props = new Map<string, string>();
  for (const m of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)(\??):/g)) {
    const tag = /@default (.*)/.exec(m[1] ?? '')?.[1]?.trim();
    props.set(m[2] as string, m[3] ? (tag ?? '(no @default)') : '(required)');
  }
  return props;
}

describe('Docs: the construct props table', () => {
  it('should list every CascadeAnalyzer prop in docs/own-cdk-app.md with its @default, and every cdk.json key as a prop', () => {
    // Prepare
    const props = propDefaults('lib/cascade-analyzer.ts', 'CascadeAnalyzerProps');
    // Act
    const rows = table('docs/own-cdk-app.md', 'prop');
    // Assess
    expect([...rows.keys()].sort()).toEqual([...props.keys()].sort());
    for (const [prop, fallback] of props)
      expect(rows.get(prop), prop).toBe(fallback.replace(/^'(.*)'$/, "'$1'"));
    for (const key of Object.keys(CONFIG_DEFAULTS)) expect(props.has(key), key).toBe(true);
  });

  it('should list every field of a watched service in docs/own-cdk-app.md with its @default', () => {
    const props = propDefaults('lib/cascade-analyzer.ts', 'WatchedService');
    const rows = table('docs/own-cdk-app.md', 'field');
    expect([...rows.keys()].sort()).toEqual([...props.keys()].sort());
    expect([...rows.keys()].sort()).toEqual(Object.keys(WatchedServiceConfigSchema.shape).sort());
    for (const [field, fallback] of props) expect(rows.get(field), field).toBe(fallback);
  });
});
