/** The JSON schemas and error lists several operations share (src/openapi/operations.ts). */
import type { ErrorCode } from '../errors';

const nullable = (type: string, format?: string) => ({ type: [type, 'null'], ...(format ? { format } : {}) });
const dateTime = { type: 'string', format: 'date-time' };

/** The JSON schema of `GET /api/me/export` (see UserDataExport in src/users/export.ts). */
export const EXPORT_SCHEMA = {
  type: 'object',
  description:
    'Every column of the users row and of each accounts, user_roles, sessions and auth_events row of the user id (but that id), and the invitation the user accepted; dates are ISO 8601',
  required: ['exportedAt', 'user', 'accounts', 'roles', 'invitations', 'sessions', 'events'],
  properties: {
    exportedAt: dateTime,
    user: {
      type: 'object',
      description: 'Every column of the users row',
      required: ['id', 'email', 'emailVerified', 'name', 'image', 'createdAt', 'updatedAt', 'disabledAt'],
      properties: {
        id: { type: 'string' },
        email: nullable('string'),
        emailVerified: { type: 'boolean' },
        name: nullable('string'),
        image: nullable('string'),
        createdAt: dateTime,
        updatedAt: dateTime,
        disabledAt: nullable('string', 'date-time'),
        hostedDomain: {
          ...nullable('string'),
          description: "The Google Workspace domain (ID token's hd) of the last sign-in",
        },
      },
    },
    accounts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['provider', 'providerAccountId', 'createdAt'],
        properties: { provider: { type: 'string' }, providerAccountId: { type: 'string' }, createdAt: dateTime },
      },
    },
    roles: {
      type: 'array',
      items: {
        type: 'object',
        required: ['role', 'grantedAt', 'grantedBy'],
        properties: { role: { type: 'string' }, grantedAt: dateTime, grantedBy: nullable('string') },
      },
    },
    invitations: {
      type: 'array',
      description: 'The invitation the first sign-in accepted (npm run admin -- invites), if any',
      items: {
        type: 'object',
        required: ['email', 'invitedAt', 'invitedBy', 'acceptedAt', 'acceptedBy'],
        properties: {
          email: { type: 'string' },
          invitedAt: dateTime,
          invitedBy: nullable('string'),
          acceptedAt: nullable('string', 'date-time'),
          acceptedBy: nullable('string'),
        },
      },
    },
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'createdAt', 'lastSeenAt', 'expiresAt', 'revokedAt', 'userAgent', 'current'],
        properties: {
          id: { type: 'string' },
          createdAt: dateTime,
          lastSeenAt: dateTime,
          expiresAt: dateTime,
          revokedAt: nullable('string', 'date-time'),
          userAgent: nullable('string'),
          current: { type: 'boolean' },
        },
      },
    },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'kind', 'sessionId', 'detail', 'createdAt', 'ip', 'userAgent'],
        properties: {
          id: { type: 'string' },
          kind: { type: 'string' },
          sessionId: nullable('string'),
          detail: nullable('string'),
          createdAt: dateTime,
          ip: nullable('string'),
          userAgent: nullable('string'),
        },
      },
    },
  },
};

/** `GET /.well-known/sitewide-revocations`. */
export const REVOCATIONS_SCHEMA = {
  type: 'object',
  required: ['cursor', 'sessions', 'users', 'more', 'retention'],
  properties: {
    cursor: { type: 'integer', description: 'Pass as `since` next time' },
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'at'],
        properties: {
          id: { type: 'string', description: 'A revoked session id (random; the `sid` claim)' },
          at: { type: 'integer', description: 'When it was revoked (seconds)' },
        },
      },
    },
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'before'],
        properties: {
          id: {
            type: 'string',
            description:
              'A token subject (the `sub` claim): an opaque user id, or `client:<id>` for a service client revoked or rotated without overlap',
          },
          before: {
            type: 'integer',
            description: 'Refuse tokens of this subject whose `iat` is before this (seconds)',
          },
        },
      },
    },
    more: { type: 'boolean', description: 'Ask again at once with `cursor`' },
    retention: {
      type: 'integer',
      description: 'Seconds an entry is kept',
    },
  },
};

/** The user as `GET /api/me`, `POST /auth/refresh` and the service binding answer it. */
export const USER_SCHEMA = {
  type: 'object',
  required: ['id', 'email', 'name', 'image', 'roles'],
  properties: {
    id: { type: 'string' },
    email: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    image: { type: ['string', 'null'] },
    roles: {
      type: 'array',
      items: { type: 'string' },
      description: 'The roles in the session token: what every sibling sees (refreshed with the token)',
    },
  },
};

/** Errors of every route behind requireSession. */
export const SESSION_ERRORS = {
  401: ['missing_session', 'invalid_session', 'session_expired', 'session_revoked', 'user_not_found'],
  403: ['user_disabled', 'access_denied', 'csrf_rejected', 'client_not_allowed'],
  503: ['service_unavailable'],
} as const satisfies Partial<Record<number, readonly ErrorCode[]>>;
