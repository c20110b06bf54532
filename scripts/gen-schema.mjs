#!/usr/bin/env node
// Write schema/nslab.schema.json (draft-07, for editor completion and checks) from the zod
// schemas in src/topology/schema*.ts; test/unit/topology/schema-json.test.ts fails when the
// checked-in file differs from what this writes.
// usage: npm run schema   (builds first)
import { writeFileSync } from 'node:fs';
import { topologyJsonSchema } from '../dist/topology/schema-json.js';
writeFileSync(new URL('../schema/nslab.schema.json', import.meta.url), JSON.stringify(topologyJsonSchema(), null, 2) + '\n');
