import { protocolSchemaFiles } from '../conformance/isolation/protocol.ts';

/** The adapter protocol's JSON Schemas as generated documents: `docs/protocol/<name>.schema.json`. */
export function protocolSchemaDocuments(): [string, string][] {
  return Object.entries(protocolSchemaFiles()).map(([name, schema]) => [
    `docs/protocol/${name}.schema.json`,
    `${JSON.stringify(schema, null, 2)}\n`,
  ]);
}
