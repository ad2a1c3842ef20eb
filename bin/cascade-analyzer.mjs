#!/usr/bin/env node
// Launcher for `npx cascade-analyzer`: runs the TypeScript CLI through tsx, no build step needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cascade-analyzer.ts');
process.exitCode = await main(process.argv.slice(2));
