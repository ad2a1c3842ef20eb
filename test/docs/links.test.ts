import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.ts';
import { anchors, brokenLinks, documentationPages, slug } from './markdown-links.ts';

describe('Docs: links', () => {
  const pages = documentationPages(ROOT);

  it('should find the README, CONTRIBUTING and the guide', () => {
    expect(pages).toContain('README.md');
    expect(pages).toContain('CONTRIBUTING.md');
    expect(pages).toContain(join('docs', 'getting-started.md'));
    expect(pages.length).toBeGreaterThanOrEqual(10);
  });

  it.each(pages)('should resolve every relative link and anchor in %s', (page) => {
    expect(brokenLinks(ROOT, page)).toEqual([]);
  });
});

describe('Docs: README', () => {
  it('should stay a five-minute read (at most 220 lines) that leads into the guide', () => {
    // Act
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

    // Assess
    expect(readme.split('\n').length).toBeLessThanOrEqual(220);
    for (const page of [
      'getting-started',
      'deploy',
      'cli',
      'api',
      'analysis',
      'benchmarks',
      'architecture',
    ]) {
      expect(readme).toContain(`](docs/${page}.md)`);
    }
  });
});

describe('Docs: the link checker', () => {
  it('should make anchors as GitHub does', () => {
    expect(slug('Demo (no AWS account)')).toBe('demo-no-aws-account');
    expect(slug('Alarm → notification, through the state machine')).toBe(
      'alarm--notification-through-the-state-machine',
    );
    expect([...anchors('# A\n## `serve`: the API\n## Twice\n## Twice\n```\n# not a heading\n```\n')]).toEqual(
      ['a', 'serve-the-api', 'twice', 'twice-1'],
    );
  });

  it('should report a missing file, a missing anchor, and ignore links in code and on the web', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'cascade-links-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'b.md'), '# Page B\n\n## Deploy\n');
    writeFileSync(
      join(root, 'a.md'),
      [
        '[ok](docs/b.md#deploy) [self](#top) [web](https://example.com/x.md) `[code](nowhere.md)`',
        '# Top',
        '[gone](docs/missing.md) [bad anchor](docs/b.md#configure) ![img](docs/pic.svg)',
        '```',
        '[in a block](nowhere.md)',
        '```',
      ].join('\n'),
    );

    // Act
    const broken = brokenLinks(root, 'a.md');

    // Assess
    expect(broken.map((b) => b.target)).toEqual(['docs/missing.md', 'docs/b.md#configure', 'docs/pic.svg']);
    expect(broken[1]?.why).toContain('no heading with anchor #configure');
  });
});
