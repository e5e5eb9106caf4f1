/**
 * The document `GET /openapi.json` serves, as scripts/openapi.ts writes it to public/openapi.json:
 * built from src/openapi/operations.ts for src/openapi/serve.ts's BUILT_FOR deployment. Worker
 * code, so it is typechecked with the Worker's tsconfig.json (and excluded from tsconfig.node.json,
 * whose Node types lack Env, D1Database…).
 */
import { buildOpenApiDocument } from '../src/openapi/document';
import { OPERATIONS } from '../src/openapi/operations';
import { BUILT_FOR } from '../src/openapi/serve';

export const builtDocument = (): string => `${JSON.stringify(buildOpenApiDocument(OPERATIONS, BUILT_FOR), null, 2)}\n`;
