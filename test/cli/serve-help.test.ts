// `serve --help` lists every route the API answers (issue 19: it left out /incidents).

import { describe, expect, it } from 'vitest';
import { DEMO_SCENARIOS } from '../../bin/commands/demo.ts';
import { serveHelp } from '../../bin/commands/serve.ts';
import { ALLOWED, RESOURCES } from '../../lambdas/handlers/api.ts';

describe('CLI: serve --help', () => {
  it("should name each of the API's routes with its methods", () => {
    // Prepare
    const routes = Object.entries(RESOURCES).flatMap(([path, name]) =>
      ALLOWED[name].map((method) => `${method} ${path}`),
    );
    expect(routes).toContain('GET /incidents/{id}');
    // Act
    const help = serveHelp(DEMO_SCENARIOS).replace(/[ \t]+/g, ' ');
    // Assess
    const shown = [...help.matchAll(/^ (GET|POST|PUT|DELETE) (\/[^\s?]*)/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect([...new Set(shown)].sort()).toEqual([...new Set(routes)].sort());
  });
});
