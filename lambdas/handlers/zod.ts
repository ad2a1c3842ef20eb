// zod/mini for the handlers, with zod's English messages (zod/mini leaves them out). Its functions
// tree-shake: a bundle keeps about 25 KB of zod where the chainable `zod` API keeps about 95 KB.
// Import it as `import * as z from './zod.ts'`.

import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
