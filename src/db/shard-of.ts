/**
 * Which of `count` session databases holds a user's sessions: jump consistent
 * hash (Lamping & Veach, 2014, arXiv:1406.2294) of a 64-bit FNV-1a hash of the
 * user id. Pure and stable: the same id and count give the same index in the
 * Worker, in `npm run admin` (which imports this file with Node type stripping:
 * no imports here) and in every release.
 *
 * Growing the list (appending a binding to SESSION_DBS) moves only the users
 * whose index changes, about 1 in `count` of them, each to the new database;
 * removing or reordering bindings moves far more. Either way the rows of the
 * users that move must be copied (docs/database.md, "Changing the list moves users").
 *
 * @example shardOf('3f1c…', 4) // 0..3
 */
export function shardOf(userId: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new TypeError(`count must be a positive integer, got ${count}`);
  if (count === 1) return 0;
  let key = fnv1a64(userId);
  let bucket = -1n;
  let jump = 0n;
  const buckets = BigInt(count);
  while (jump < buckets) {
    bucket = jump;
    key = (key * 2862933555777941757n + 1n) & MASK_64;
    // As the reference: (b + 1) * (2^31 / ((key >> 33) + 1)), in doubles.
    jump = BigInt(Math.floor((Number(bucket) + 1) * (2 ** 31 / Number((key >> 33n) + 1n))));
  }
  return Number(bucket);
}

const MASK_64 = (1n << 64n) - 1n;

/** FNV-1a, 64 bits, over the UTF-16 code units of `text` (user ids are ASCII UUIDs). */
function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & MASK_64;
  }
  return hash;
}

/** The binding name of the database that holds `userId`'s sessions (and the user's copy, users/user-copy): `DB` when SESSION_DBS is unset. */
export function sessionDbNameOf(names: readonly string[], userId: string): string {
  return names.length === 0 ? 'DB' : (names[shardOf(userId, names.length)] as string);
}
