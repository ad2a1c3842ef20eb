// Reads the relative links of Markdown pages and checks that each one resolves: the file exists
// and, for `#anchor`, the page has a heading with that GitHub slug.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The page without its fenced code blocks: a `#` line in a block is not a heading. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** The page without any code, fenced or inline: a link written in code is not a link. */
function withoutCode(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** Every anchor a page offers: its headings (repeats numbered as GitHub does) and explicit ids. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = withoutFences(markdown);
  for (const [, heading] of text.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = slug((heading ?? '').replace(/`/g, ''));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const [, id] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(id ?? '');
  return out;
}

/** The relative link targets of a page (web and mail links are not ours to check). */
export function relativeLinks(markdown: string): string[] {
  const text = withoutCode(markdown);
  const targets = [
    ...[...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? ''),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1] ?? ''),
    ...[...text.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? ''),
  ];
  return targets.filter((t) => t !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

export interface BrokenLink {
  readonly page: string;
  readonly target: string;
  readonly why: string;
}

/** The links of `page` (a path under `root`) that do not resolve. */
export function brokenLinks(
  root: string,
  page: string,
  read = (p: string) => readFileSync(p, 'utf8'),
): BrokenLink[] {
  const broken: BrokenLink[] = [];
  // A page linked to many times is read and its headings slugged once.
  const anchorsByFile = new Map<string, Set<string>>();
  const anchorsOf = (file: string) => {
    const found = anchorsByFile.get(file) ?? anchors(read(file));
    anchorsByFile.set(file, found);
    return found;
  };
  const source = join(root, page);
  for (const target of relativeLinks(read(source))) {
    const [pathPart = '', anchor] = target.split('#', 2);
    const file = pathPart === '' ? source : join(dirname(source), decodeURIComponent(pathPart));
    if (!existsSync(file)) {
      broken.push({ page, target, why: `${relative(root, file)} does not exist` });
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(file).isDirectory() || !file.endsWith('.md')) {
      broken.push({ page, target, why: 'an anchor into something that is not a Markdown page' });
    } else if (!anchorsOf(file).has(decodeURIComponent(anchor))) {
      broken.push({ page, target, why: `${relative(root, file)} has no heading with anchor #${anchor}` });
    }
  }
  return broken;
}

/** README.md, CONTRIBUTING.md and every page under docs/, relative to `root`. */
export function documentationPages(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  return [
    ...['README.md', 'CONTRIBUTING.md'].filter((p) => existsSync(join(root, p))),
    ...walk('docs').sort(),
  ];
}
