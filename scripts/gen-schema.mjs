#!/usr/bin/env node
// Write schema/nslab.schema.json (for editor completion) from the zod schema in src/topology/schema.ts.
// usage: npm run schema   (after a build)
import { writeFileSync } from 'node:fs';
import { topologyJsonSchema } from '../dist/topology/schema.js';
writeFileSync(new URL('../schema/nslab.schema.json', import.meta.url), JSON.stringify(topologyJsonSchema(), null, 2) + '\n');
