/**
 * Email addresses compare as Google compares them (docs/access.md): the
 * ASCII letters A–Z case-insensitively, every other character exactly, after
 * Unicode NFC (so a precomposed and a decomposed spelling of one letter are
 * one address). Never Unicode case folding: `'\u212A'.toLowerCase()` (KELVIN
 * SIGN) is `'k'`, so `'\u212Aim@example.com'` would pass for `kim@example.com`.
 * Nor does NFC make a look-alike ASCII: the few characters it would turn into
 * ASCII (KELVIN SIGN into `K`, GREEK QUESTION MARK into `;`) stay as they are.
 *
 * The one rule for every comparison of addresses: ALLOWED_EMAILS, invitations,
 * `users.email_normalized` (unique: one verified address, one user) and
 * `npm run admin`. It imports nothing, so scripts run it as is (Node type
 * stripping) and the Worker bundles it.
 */

/** `text` with A–Z lower-cased and every other character as it is. */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * The form two addresses are compared in: NFC, then A–Z lower-cased.
 *
 * @example normalizeAddress('Ada@Example.COM') === 'ada@example.com'
 * @example normalizeAddress('\u212Aim@example.com') !== 'kim@example.com'
 */
export function normalizeAddress(address: string): string {
  let normalized = '';
  let run = '';
  for (const char of address) {
    if (char > '\u007f' && isAscii(char.normalize('NFC'))) {
      normalized += asciiLowerCase(run.normalize('NFC')) + char;
      run = '';
    } else {
      run += char;
    }
  }
  return normalized + asciiLowerCase(run.normalize('NFC'));
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
