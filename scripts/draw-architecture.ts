// `npm run docs:architecture`: draws docs/architecture.svg, and its DOT source docs/architecture.dot
// (committed too, so that a change to the picture reads as a diff), from the stack's synthesized
// template. test/docs/architecture-picture.test.ts fails until they are redrawn after a change.

import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { synthesizeTemplate } from '../lambdas/local/synth-app.ts';
import { architectureDot } from './architecture/diagram.ts';
import { DOCS_DOT, DOCS_SVG, renderSvg } from './architecture/render.ts';

const dot = architectureDot(synthesizeTemplate());
const svg = await renderSvg(dot);
await writeFile(DOCS_DOT, dot);
await writeFile(DOCS_SVG, svg);
console.log(`wrote ${fileURLToPath(DOCS_DOT)} and ${fileURLToPath(DOCS_SVG)}`);
