// The JSON Schema of a topology file for editors (the YAML language server, VS Code's YAML
// extension), generated from the zod schemas so the two cannot drift: scripts/gen-schema.mjs
// writes it to schema/nslab.schema.json, and a unit test fails when the checked-in file differs.
// Draft-07 because that is what the YAML language server implements. Cross-references (a peer
// that exists, an address inside its subnet) are beyond a schema: `nslab validate` checks those.
import * as z from 'zod';
import { topologySchema } from './schema.js';
import { EXTENSION_KEY, PATTERNS } from './syntax-patterns.js';

/** Where the schema is published; editors may fetch it by this URL. */
export const SCHEMA_ID = 'https://raw.githubusercontent.com/nslab/nslab/main/schema/nslab.schema.json';

/** The draft-07 JSON Schema of a topology file. */
export function topologyJsonSchema(): Record<string, unknown> {
  // io 'input': the file as written (env values before they become text), not the parsed result.
  const body = z.toJSONSchema(topologySchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, title, description, definitions, ...rest } = body;
  return {
    $schema,
    $id: SCHEMA_ID,
    title,
    description,
    ...rest,
    // The parser ignores these top-level keys (parse.ts): a place for YAML anchors.
    patternProperties: { [EXTENSION_KEY]: { description: 'Ignored by nslab: a place for YAML anchors (&name) to reuse elsewhere with *name.' } },
    // The value syntaxes the fields refer to (syntaxRef), each pattern once.
    definitions: {
      ...(definitions as Record<string, unknown>),
      ...Object.fromEntries(Object.entries(PATTERNS).map(([name, p]) => [name, { type: 'string', description: p.description, pattern: p.pattern }])),
    },
  };
}
