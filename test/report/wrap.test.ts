// Text wrapped to the reader's terminal (lambdas/report/wrap.ts): widths, hanging indents, links
// kept whole, and a number kept with its unit.

import { describe, expect, it } from 'vitest';
import { outputWidth, wrap, wrapBlock } from '../../lambdas/report/wrap.ts';

describe('Function: wrap', () => {
  it('should never leave a unit alone at the start of a line, away from its number', () => {
    // Prepare: "(30 %)" falls right at the edge of a 100-column line (the answer block's label is 12 wide)
    const text = 'ts-config-service as called by ts-seat-service: a weak lead: check it before acting (30 %)';

    // Act
    const lines = wrap(text, 100, 'ROOT CAUSE  ');

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[1]?.trim()).toBe('(30 %)');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    for (const unit of ['%', 'ms', 's', 'min']) {
      const w = wrap(`took 4.00 ${unit} longer than before, over a narrow line`, 40, '', '  ');
      for (const l of w) expect(l.trimStart().startsWith(`${unit} `)).toBe(false);
    }
  });

  it('should indent continuation lines under the text and keep every line within the width', () => {
    // Act
    const lines = wrap('one two three four five six seven eight nine ten eleven twelve', 40, 'LABEL  ');

    // Assess
    expect(lines[0]?.startsWith('LABEL  one')).toBe(true);
    for (const l of lines.slice(1)) expect(l.startsWith('       ')).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
  });

  it('should keep a link whole on its own line and cut any other over-long word', () => {
    // Prepare
    const link = `https://console.aws.amazon.com/cloudwatch/home#xray:traces/${'a'.repeat(60)}`;
    const arn = `arn:aws:ecs:eu-west-1:123456789012:service/${'b'.repeat(60)}`;

    // Act
    const withLink = wrap(`see ${link}`, 50);
    const withArn = wrap(`changed ${arn}`, 50);

    // Assess
    expect(withLink).toContain(link);
    for (const l of withArn) expect(l.length).toBeLessThanOrEqual(50);
    expect(withArn.join('')).toContain(arn.slice(0, 40));
  });

  it('should wrap a block line by line, each under its own indent', () => {
    // Act
    const out = wrapBlock(`short\n    ${'word '.repeat(20).trim()}`, 40).split('\n');

    // Assess
    expect(out[0]).toBe('short');
    for (const l of out.slice(2)) expect(l.startsWith('      ')).toBe(true);
  });
});

describe('Function: outputWidth', () => {
  it('should take COLUMNS, else the terminal, else 100, within 40–200', () => {
    expect(outputWidth({ COLUMNS: '120' }, 80)).toBe(120);
    expect(outputWidth({}, 80)).toBe(80);
    expect(outputWidth({}, undefined)).toBe(100);
    expect(outputWidth({ COLUMNS: '10' }, undefined)).toBe(40);
    expect(outputWidth({ COLUMNS: 'wide' }, 500)).toBe(200);
  });
});
