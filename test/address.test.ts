// The one comparison of addresses (src/access/address.ts): A-Z folded, everything else exact after NFC,
// and no character NFC would turn into ASCII; with properties over generated addresses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiLowerCase, normalizeAddress } from '../src/access/address';
import { admit } from '../src/access/admission';
import { parseAdmission } from '../src/config/access';

const KELVIN = '\u212A';

describe('normalizeAddress', () => {
  it('folds A-Z only, composes to NFC, keeps what NFC would make ASCII', () => {
    expect(normalizeAddress('Ada.Lovelace@Example.COM')).toBe('ada.lovelace@example.com');
    expect(normalizeAddress('ÉLODIE@Example.com')).toBe('Élodie@example.com');
    expect(normalizeAddress('E\u0301lodie@example.com')).toBe('Élodie@example.com'.normalize('NFC'));
    expect(normalizeAddress(`${KELVIN}im@example.com`)).toBe(`${KELVIN}im@example.com`);
    expect(normalizeAddress('\u0130nci@example.com')).toBe('\u0130nci@example.com');
    expect(normalizeAddress('a\u037Eb@example.com')).toBe('a\u037Eb@example.com');
    expect(asciiLowerCase('HD.Example.COM')).toBe('hd.example.com');
  });

  it('is idempotent, and agrees with toLowerCase on ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const once = normalizeAddress(text);
        expect(normalizeAddress(once)).toBe(once);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (text) => {
        expect(normalizeAddress(text)).toBe(text.toLowerCase());
      }),
    );
  });

  it('never lets a non-ASCII spelling pass for an ASCII address', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 20 }),
        fc
          .string({ unit: 'binary', minLength: 1, maxLength: 3 })
          .filter((s) => [...s].some((c) => c.charCodeAt(0) > 0x7f)),
        fc.nat(20),
        (ascii, foreign, at) => {
          const i = at % (ascii.length + 1);
          const spelled = ascii.slice(0, i) + foreign + ascii.slice(i);
          // A look-alike keeps a non-ASCII character, so it is never the ASCII address.
          expect(normalizeAddress(spelled)).not.toBe(normalizeAddress(ascii));
        },
      ),
    );
  });
});

describe('ALLOWED_EMAILS compare the same way', () => {
  it('a listed address matches its ASCII case variants, never a look-alike', () => {
    const policy = parseAdmission({ ALLOWED_EMAILS: `Kim@Partner.test, ${KELVIN}en@partner.test` } as never);
    const claims = (email: string) => ({ email, emailVerified: true, hostedDomain: null });
    expect(admit(claims('KIM@partner.TEST'), policy, false).ok).toBe(true);
    expect(admit(claims(`${KELVIN}im@partner.test`), policy, false).ok).toBe(false);
    expect(admit(claims(`${KELVIN}en@PARTNER.test`), policy, false).ok).toBe(true);
    expect(admit(claims('ken@partner.test'), policy, false).ok).toBe(false);
  });
});
