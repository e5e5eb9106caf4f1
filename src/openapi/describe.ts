import type { ErrorCode } from '../errors';

type Json = Record<string, unknown>;

const errorSchema = (codes: readonly ErrorCode[]): Json => ({
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: [...codes] }, message: { type: 'string' } },
    },
  },
});

const DEFAULT_ERRORS: Partial<Record<number, readonly ErrorCode[]>> = {
  500: ['misconfigured', 'internal_error'],
};

/** The tags operations may carry, each declared once at the top of the document with its description. */
export const TAGS = {
  auth: 'Sign-in with Google through Auth.js: the sign-in page, CSRF token, provider redirect and callback, sign-out',
  tokens:
    'Short-lived access tokens (at+jwt) for the backends on TOKEN_AUDIENCES: for a signed-in user, or a service client',
  api: 'The signed-in user',
  sessions: "The caller's sessions: list them, revoke one, sign out everywhere",
  meta: 'Health, public verification keys, deployment metadata and this description',
} as const;
export type Tag = keyof typeof TAGS;

/** The security schemes of the document (components.securitySchemes), by what `RouteDoc.auth` says. */
const SCHEME = { cookie: 'sessionCookie', bearer: 'bearerToken' } as const;

export interface RouteDoc {
  summary: string;
  description?: string;
  tags: Tag[];
  /** The JSON schema of the 2xx body, or a description of a redirect. */
  ok?: { status?: number; schema?: Json; description?: string };
  /** Error responses: status → the codes it can carry. */
  errors?: Partial<Record<number, readonly ErrorCode[]>>;
  requestBody?: Json;
  /**
   * Who may call it: the session cookie or a Bearer access token (either one
   * will do). `anonymous` makes them optional: the route uses the credential
   * when one is sent and works without. Absent: a public route (`security: []`).
   */
  auth?: Array<'cookie' | 'bearer' | 'anonymous'>;
  /** A last change to the generated operation (a second request body, another error shape). */
  amend?: (operation: Operation) => void;
}

export type Operation = Json;

/**
 * One route's OpenAPI operation from its RouteDoc (src/openapi/operations.ts): every error status
 * lists the stable codes it can carry. Build time only (scripts/openapi.ts).
 */
export function operationOf(doc: RouteDoc): Operation {
  const responses: Record<string, Json> = {};
  const ok = doc.ok ?? {};
  responses[String(ok.status ?? 200)] = {
    description: ok.description ?? 'OK',
    ...(ok.schema ? { content: { 'application/json': { schema: ok.schema } } } : {}),
  };
  for (const [status, codes] of Object.entries({ ...DEFAULT_ERRORS, ...doc.errors })) {
    if (!codes) continue;
    responses[status] = {
      description: codes.join(', '),
      content: { 'application/json': { schema: errorSchema(codes) } },
    };
  }
  const operation: Operation = {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags,
    responses,
    // Always explicit: `[]` marks a public route (strict clients read a missing list as "unknown").
    security: (doc.auth ?? []).map((s) => (s === 'anonymous' ? {} : { [SCHEME[s]]: [] })),
    ...(doc.requestBody
      ? { requestBody: { required: true, content: { 'application/json': { schema: doc.requestBody } } } }
      : {}),
  };
  doc.amend?.(operation);
  return operation;
}
