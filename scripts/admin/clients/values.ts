/**
 * Validated arguments of `npm run admin -- clients …` (branded, as scripts/admin/values.ts does for
 * users). Statements are built with drizzle and inlined by scripts/admin/inline.ts, which
 * makes any text a safe literal; these patterns keep names and audiences readable and sane.
 */
type Brand<B extends string> = string & { readonly __brand: B };
export type ClientName = Brand<'ClientName'>;
export type Audience = Brand<'Audience'>;

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._:@+-]{0,62}[A-Za-z0-9._:@+-])?$/;
// As TOKEN_AUDIENCES takes them: no whitespace (printable ASCII).
const AUDIENCE = /^[\x21-\x7e]{1,255}$/;
const DURATION = /^(\d{1,7})([smhd])?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** The longest overlap a rotation may give the old secret: a week. */
export const MAX_OVERLAP_SECONDS = 7 * 86_400;

export function parseClientName(text: string): ClientName | null {
  return NAME.test(text) ? (text as ClientName) : null;
}

export function parseAudience(text: string): Audience | null {
  return AUDIENCE.test(text) ? (text as Audience) : null;
}

/** `--overlap`: `0`, `90s`, `15m`, `1h`, `2d` (plain digits are seconds) → seconds; null if malformed or over a week. */
export function parseOverlap(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match) return null;
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS];
  return seconds <= MAX_OVERLAP_SECONDS ? seconds : null;
}
