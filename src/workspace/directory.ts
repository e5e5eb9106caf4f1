import { normalizeAddress } from '../access/address';
import { accessToken, fetchGoogle, forgetAccessToken, GoogleApiError, type GoogleDeps } from './google-token';
import type { WorkspaceLink } from './settings';

/**
 * The few Admin SDK Directory API calls the link makes, with plain fetch
 * (https://developers.google.com/admin-sdk/directory/reference/rest). Every
 * answer is checked for the fields used; anything else (an error body
 * `{"error":{"code","message","status"}}`, a page without its list, a page
 * token that repeats) is a GoogleApiError, so a caller acts only on complete,
 * well-formed data.
 */

/** A Directory user, as the link reads it. `id` is the account's Google id: the `sub` of its ID tokens. */
export interface DirectoryUser {
  id: string;
  primaryEmail: string;
  suspended: boolean;
  archived: boolean;
}

/** Pages read at most per listing (500 users or 200 members each): a guard against a page token that never ends. */
const MAX_PAGES = 1000;

type Query = Record<string, string>;

async function getJson(link: WorkspaceLink, deps: GoogleDeps, path: string, query: Query = {}): Promise<unknown> {
  const url = `${link.apiBase}/admin/directory/v1/${path}${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`;
  const token = await accessToken(link, deps);
  const res = await fetchGoogle(deps, url, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GoogleApiError(
      res.status,
      res.ok ? 'malformed' : `http_${res.status}`,
      `${path}: not JSON (HTTP ${res.status})`,
    );
  }
  if (res.ok && isObject(body)) return body;
  if (res.ok) throw new GoogleApiError(res.status, 'malformed', `${path}: the answer is not a JSON object`);
  if (res.status === 401) forgetAccessToken(link);
  const error = isObject(body) && isObject(body.error) ? body.error : {};
  const reason = Array.isArray(error.errors) && isObject(error.errors[0]) ? error.errors[0].reason : undefined;
  const code =
    typeof error.status === 'string' ? error.status : typeof reason === 'string' ? reason : `http_${res.status}`;
  const message = typeof error.message === 'string' ? error.message.slice(0, 300) : '';
  throw new GoogleApiError(res.status, code, `${path}: HTTP ${res.status} ${code}${message ? `: ${message}` : ''}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function userOf(value: unknown, path: string): DirectoryUser {
  if (!isObject(value) || typeof value.id !== 'string' || !value.id || typeof value.primaryEmail !== 'string') {
    throw new GoogleApiError(200, 'malformed', `${path}: a user without id or primaryEmail`);
  }
  return {
    id: value.id,
    primaryEmail: normalizeAddress(value.primaryEmail),
    suspended: value.suspended === true,
    archived: value.archived === true,
  };
}

/** Every page of a listing: `items` reads one page's list (absent when empty, as Google omits it). */
async function allPages<T>(
  link: WorkspaceLink,
  deps: GoogleDeps,
  path: string,
  query: Query,
  items: (page: Record<string, unknown>) => T[],
): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = (await getJson(link, deps, path, pageToken ? { ...query, pageToken } : query)) as Record<
      string,
      unknown
    >;
    all.push(...items(body));
    const next = body.nextPageToken;
    if (next === undefined || next === '') return all;
    if (typeof next !== 'string' || seen.has(next)) {
      throw new GoogleApiError(200, 'malformed', `${path}: nextPageToken is not a new string`);
    }
    seen.add(next);
    pageToken = next;
  }
  throw new GoogleApiError(200, 'malformed', `${path}: more than ${MAX_PAGES} pages`);
}

/**
 * users.list of the whole customer (every domain), 500 a page, only the fields
 * used. Deleted users are not listed (they are gone from the customer).
 */
export function listUsers(link: WorkspaceLink, deps: GoogleDeps): Promise<DirectoryUser[]> {
  const query = {
    customer: link.customer,
    maxResults: '500',
    projection: 'basic',
    fields: 'nextPageToken,users(id,primaryEmail,suspended,archived)',
  };
  return allPages(link, deps, 'users', query, (page) => {
    if (page.users === undefined) return [];
    if (!Array.isArray(page.users)) throw new GoogleApiError(200, 'malformed', 'users: "users" is not a list');
    return page.users.map((u) => userOf(u, 'users'));
  });
}

/** users.get by id or address; null when the Directory has no such user (404: deleted, or another customer's). */
export async function getUser(link: WorkspaceLink, deps: GoogleDeps, userKey: string): Promise<DirectoryUser | null> {
  try {
    const path = `users/${encodeURIComponent(userKey)}`;
    return userOf(await getJson(link, deps, path, { projection: 'basic' }), path);
  } catch (error) {
    if (error instanceof GoogleApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * The Google ids of a group's users, direct and through nested groups
 * (members.list with includeDerivedMembership), 200 a page; null when the
 * group does not exist (404).
 */
export async function listMemberIds(link: WorkspaceLink, deps: GoogleDeps, group: string): Promise<Set<string> | null> {
  const path = `groups/${encodeURIComponent(group)}/members`;
  try {
    const ids = await allPages(link, deps, path, { includeDerivedMembership: 'true', maxResults: '200' }, (page) => {
      if (page.members === undefined) return [];
      if (!Array.isArray(page.members)) throw new GoogleApiError(200, 'malformed', `${path}: "members" is not a list`);
      return page.members.map((m) => {
        if (!isObject(m) || typeof m.id !== 'string' || typeof m.type !== 'string') {
          throw new GoogleApiError(200, 'malformed', `${path}: a member without id or type`);
        }
        return m.type === 'USER' ? m.id : '';
      });
    });
    return new Set(ids.filter(Boolean));
  } catch (error) {
    if (error instanceof GoogleApiError && error.status === 404) return null;
    throw error;
  }
}

/** members.hasMember: is the user (by Google id) a member, direct or nested? Throws for users outside the group's domain (400). */
export async function hasMember(
  link: WorkspaceLink,
  deps: GoogleDeps,
  group: string,
  userId: string,
): Promise<boolean> {
  const path = `groups/${encodeURIComponent(group)}/hasMember/${encodeURIComponent(userId)}`;
  const body = (await getJson(link, deps, path)) as Record<string, unknown>;
  if (typeof body.isMember !== 'boolean') throw new GoogleApiError(200, 'malformed', `${path}: no isMember`);
  return body.isMember;
}
