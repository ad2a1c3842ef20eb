// `analyze --format html`: the report page, to a file with --out or on standard output.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLE } from '../support/cli.ts';

describe('CLI: analyze --format html', () => {
  it('should write the report page to --out and say where', () => {
    // Act
    const out = join(mkdtempSync(join(tmpdir(), 'cascade-cli-html-')), 'shop.html');
    const r = cli('analyze', '--graph', EXAMPLE, '--format', 'html', '--out', out);
    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cascade-analyzer: wrote html report to ${out}\n`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<strong class="root-cause-name">api.payments.example.com</strong>');
    // With the graph at hand, the picture's edges carry exact call counts.
    expect(html).toContain('their width grows with the calls in the incident window');
  });

  it('should print the page on standard output without --out', () => {
    // Act
    const r = cli('analyze', '--graph', EXAMPLE, '--service', 'order-service', '--format', 'html');
    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^<!doctype html>[\s\S]*<h1>Cascade analysis: order-service<\/h1>[\s\S]*<\/html>\n$/,
    );
    expect(r.stdout).not.toContain('>frontend<');
  });

  it('should refuse an unknown format, naming the choices', () => {
    // Act
    const r = cli('analyze', '--graph', EXAMPLE, '--format', 'pdf');
    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cascade-analyzer: analyze: --format must be text, json or html, got "pdf"\n');
  });
});
