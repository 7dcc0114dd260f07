import { describe, expect, it } from 'vitest';
import type { PiiEntity } from './entities.js';
import { PiiScanner } from './pii-scanner.js';
import { passesLuhn } from './detectors/credit-card.js';
import { passesMod97 } from './detectors/iban.js';
import { entropyBitsPerCharacter } from './detectors/secret-patterns.js';

const scanner = new PiiScanner({ phoneRegions: ['US', 'GB'] });
const found = (text: string) => scanner.scan(text).map((match) => [match.entity, match.value]);
const foundOf = (entity: PiiEntity, text: string) => scanner.scan(text).filter((match) => match.entity === entity).map((match) => match.value);

describe('email', () => {
  it('finds addresses with dots, plus tags and subdomains, without trailing punctuation', () => {
    expect(foundOf('email', 'Mail jane.doe+billing@mail.example.co.uk, or j_o@acme.io.')).toEqual(['jane.doe+billing@mail.example.co.uk', 'j_o@acme.io']);
  });

  it('ignores image names, package specs, scp-style git remotes and handles', () => {
    expect(foundOf('email', 'Use logo@2x.png with react@18.2.0 from git@github.com:org/repo.git, ping @jane or npm i @types/node@20')).toEqual([]);
  });

  it('stays linear on a long run of address characters', () => {
    const blob = `${'a'.repeat(200_000)}@x`;
    const started = performance.now();
    expect(foundOf('email', blob)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('credit_card', () => {
  it('finds Luhn-valid numbers of real issuers, together or in printed groups', () => {
    expect(foundOf('credit_card', 'Visa 4111 1111 1111 1111, MC 5555-5555-5555-4444, Amex 3782 822463 10005, Discover 6011111111111117')).toEqual([
      '4111 1111 1111 1111',
      '5555-5555-5555-4444',
      '3782 822463 10005',
      '6011111111111117',
    ]);
  });

  it('rejects a failed Luhn check, an unknown issuer, mixed separators and odd groupings', () => {
    expect(foundOf('credit_card', 'card 4111 1111 1111 1112, ts 1700000000004, 4111-1111 1111-1111, 41111 11111 111111')).toEqual([]);
  });

  it('checks Luhn the standard way', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });
});

describe('iban', () => {
  it('finds IBANs together and in groups of four, stopping at the country length', () => {
    expect(foundOf('iban', 'Pay DE89 3704 0044 0532 0130 00 EUR or GB29NWBK60161331926819; FR14 2004 1010 0505 0001 3M02 606.')).toEqual([
      'DE89 3704 0044 0532 0130 00',
      'GB29NWBK60161331926819',
      'FR14 2004 1010 0505 0001 3M02 606',
    ]);
  });

  it('rejects a wrong check digit, a wrong length and an unknown country', () => {
    expect(foundOf('iban', 'DE88 3704 0044 0532 0130 00, DE89370400440532013000123, ZZ89370400440532013000')).toEqual([]);
  });

  it('computes mod-97', () => {
    expect(passesMod97('NL91ABNA0417164300')).toBe(true);
    expect(passesMod97('NL92ABNA0417164300')).toBe(false);
  });
});

describe('phone', () => {
  it('finds national numbers of the configured regions and international ones', () => {
    expect(foundOf('phone', 'Call (415) 555-2671, 415.555.2671, 020 7946 0958 or +49 30 901820.')).toEqual(['(415) 555-2671', '415.555.2671', '020 7946 0958', '+49 30 901820']);
  });

  it('ignores dates, times, reference numbers and digit runs after a reference word', () => {
    expect(foundOf('phone', 'Order #4155552671 of 2024-03-15 12:30:45, invoice 2125550199, build 20240315.1')).toEqual([]);
  });
});

describe('ssn', () => {
  it('finds separated SSNs, and unseparated ones only after an SSN keyword', () => {
    expect(foundOf('ssn', 'SSN 512-34-5678, and social security number: 512345679; ref 512345670')).toEqual(['512-34-5678', '512345679']);
  });

  it('rejects numbers never issued', () => {
    expect(foundOf('ssn', '000-12-3456 666-12-3456 912-34-5678 512-00-5678 512-34-0000 078-05-1120 219-09-9999')).toEqual([]);
  });
});

describe('ip_address', () => {
  it('finds IPv4 and IPv6 addresses, mapped and compressed forms included', () => {
    expect(foundOf('ip_address', 'from 203.0.113.7 and 2001:db8::8a2e:370:7334, ::ffff:192.0.2.128, fe80::1')).toEqual(['203.0.113.7', '2001:db8::8a2e:370:7334', '::ffff:192.0.2.128', 'fe80::1']);
  });

  it('ignores versions, OIDs, out-of-range octets, times, MAC addresses and C++ scopes', () => {
    expect(foundOf('ip_address', 'version 1.2.3.4, v10.0.0.1, OID 1.3.6.1.4.1, 256.1.1.1, 12:30:45, 00:1A:2B:3C:4D:5E, std::vector')).toEqual([]);
  });
});

describe('secret', () => {
  it('finds provider and cloud keys', () => {
    const keys = [
      'sk-proj-Ab3dEf9hIjK1mNoPqRsTuVwXyZ0123456789abcdEFGH',
      'sk-ant-api03-Zq8LmN2vB7xC4kR9tY1uW6sD3fG5hJ0aP8oI2eQ7rT4yU1iO6pAaS3dF5gH7jK9lZ2xC4vB6nM8qW0eR-Xy9AA',
      'AKIAZ3Q7L5M2N4P6R7T2',
      'AIzaSyD4-kQ9xR2mT7vB1nL8pC3wE6yU0iO5aSd',
      'ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R',
      'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
      'sk_live_51HqLm2Kx9Vb3Nc7Zt4Rw8Py6',
    ];
    expect(foundOf('secret', keys.join(' and '))).toEqual(keys);
  });

  it('finds a JWT and a PEM private-key block, and the AWS secret after its name', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aozN3tihPmljnnudb9G3HECdnH\n-----END RSA PRIVATE KEY-----';
    expect(foundOf('secret', `token ${jwt}\n${pem}\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8rLmN2vB`)).toEqual([jwt, pem, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8rLmN2vB']);
  });

  it('ignores documentation stand-ins, public keys and eyJ text that is not a token', () => {
    const text = 'OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, AKIAIOSFODNN7EXAMPLE, pk_live_51HqLm2Kx9Vb3Nc7Zt4Rw8Py6, -----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----, eyJub3QiOiJhIHRva2VuIn0.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLWZha2UtdGV4dA';
    expect(foundOf('secret', text)).toEqual([]);
  });

  it('scores random keys high and repeated characters low', () => {
    expect(entropyBitsPerCharacter('Ab3dEf9hIjK1mNoPqRsTuVwXyZ012345')).toBeGreaterThan(4.5);
    expect(entropyBitsPerCharacter('xxxxxxxxxxxxxxxxxxxxxxxx')).toBe(0);
  });
});

describe('PiiScanner', () => {
  it('returns findings in text order with their offsets', () => {
    const text = 'Mail jane@example.com or call (415) 555-2671';
    expect(scanner.scan(text)).toEqual([
      { entity: 'email', start: 5, end: 21, value: 'jane@example.com' },
      { entity: 'phone', start: 30, end: 44, value: '(415) 555-2671' },
    ]);
  });

  it('lets the longer finding win an overlap, so a card is not also a phone', () => {
    expect(found('card 4111 1111 1111 1111 and IBAN GB29 NWBK 6016 1331 9268 19')).toEqual([
      ['credit_card', '4111 1111 1111 1111'],
      ['iban', 'GB29 NWBK 6016 1331 9268 19'],
    ]);
  });

  it('runs only the configured entities', () => {
    const emailOnly = new PiiScanner({ entities: ['email'] });
    expect(emailOnly.scan('jane@example.com (415) 555-2671').map((match) => match.entity)).toEqual(['email']);
  });

  it('propagates a detector failure instead of returning fewer findings', () => {
    const broken = new PiiScanner({ detectors: [{ entity: 'email', detect: () => { throw new Error('detector bug'); } }] });
    expect(() => broken.scan('jane@example.com')).toThrow('detector bug');
  });
});
