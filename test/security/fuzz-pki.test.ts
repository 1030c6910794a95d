/**
 * Property-based fuzzing of the PKI's parsers (lambda-assets/shared/pki) with fast-check: every
 * input a caller can put in a request (CSR, CA certificate, certificate PEM) goes through them.
 * Whatever the input (random bytes, random text, valid samples with bits flipped, truncated,
 * length fields corrupted, bytes inserted, deleted or spliced, lengths up to 2^32 - 1) a parser
 * returns or throws the PKI's typed PkiError, and never hangs. A fixed seed (FUZZ_SEED) makes a
 * failure replay; FUZZ_RUNS sets how many inputs each property tries.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { hex, FUZZ_RUNS, fuzzOptions, mutate, mutation, outcomeOf } from './support/fuzz';
import {
  assertAcceptableCaCertificate,
  certificateIdOf,
  encodePem,
  inspectCertificate,
  isIssuedBy,
  parseCsr,
  PkiError,
} from '../../lambda-assets/shared/pki';
import { childrenOf, readElement } from '../../lambda-assets/shared/pki/der';
import { decodePem } from '../../lambda-assets/shared/pki/pem';
import { describePublicKey } from '../../lambda-assets/shared/pki/public-key-info';
import { OpensslWorkspace } from '../lambda-assets/shared/pki/openssl';

jest.setTimeout(60_000);

const openssl = new OpensslWorkspace();
const derOf = (pem: string): Uint8Array => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

/** Valid CSRs: the keys AWS IoT accepts and the ones it refuses (which parse, then fail the key policy). */
const csrs: Record<string, Uint8Array> = {};
/** Valid certificates: CAs (RSA, P-256), a device certificate, an Ed25519 one. */
const certificates: Record<string, Uint8Array> = {};
let caPem = '';
let devicePem = '';

function csr(name: string, ...keyArgs: string[]): void {
  openssl.run('req', '-new', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-subj', `/C=DE/O=Fuzz/CN=${name}/serialNumber=SN-1`, '-out', `${name}.csr`);
  csrs[name] = derOf(openssl.read(`${name}.csr`));
}

beforeAll(() => {
  csr('rsa2048', '-newkey', 'rsa:2048');
  csr('p256', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256');
  csr('p384', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384');
  csr('p521', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521');
  csr('rsa1024', '-newkey', 'rsa:1024');
  csr('secp256k1', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1');
  openssl.run('genpkey', '-algorithm', 'ed25519', '-out', 'ed25519.key');
  openssl.run('req', '-new', '-key', 'ed25519.key', '-subj', '/CN=edwards', '-out', 'ed25519.csr');
  csrs.ed25519 = derOf(openssl.read('ed25519.csr'));

  const ca = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  openssl.run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-subj', '/O=Fuzz/CN=Fuzz CA',
    '-days', '30', ...ca, '-out', 'ca.pem');
  openssl.run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa-ca.key', '-subj', '/CN=Fuzz RSA CA', '-days', '30', ...ca, '-out', 'rsa-ca.pem');
  openssl.run('x509', '-req', '-in', 'p256.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-sha256', '-out', 'device.pem');
  openssl.run('req', '-x509', '-key', 'ed25519.key', '-subj', '/CN=edwards', '-days', '30', '-out', 'ed25519.pem');
  caPem = openssl.read('ca.pem');
  devicePem = openssl.read('device.pem');
  certificates.ca = derOf(caPem);
  certificates.rsaCa = derOf(openssl.read('rsa-ca.pem'));
  certificates.device = derOf(devicePem);
  certificates.ed25519 = derOf(openssl.read('ed25519.pem'));
}, 30_000);

afterAll(() => openssl.dispose());

/** The call returned ('ok'), or threw a PkiError with a code and a message (its code); anything else fails the property. */
async function onlyPkiErrors(call: () => unknown, input: () => string): Promise<string> {
  const thrown = await outcomeOf(call, input);
  if (thrown === undefined) return 'ok';
  if (!(thrown instanceof PkiError) || typeof thrown.code !== 'string' || thrown.message.length === 0) {
    throw new Error(`threw ${(thrown as Error)?.name}: ${(thrown as Error)?.message} (not a PkiError) on ${input()}`);
  }
  return thrown.code;
}

const CSR_PARSERS = {
  parseCsr: (pem: string) => parseCsr(pem),
};
const CERTIFICATE_PARSERS = {
  'inspectCertificate': (pem: string) => inspectCertificate(pem),
  'certificateIdOf': (pem: string) => certificateIdOf(pem),
  'assertAcceptableCaCertificate': (pem: string) => assertAcceptableCaCertificate(pem),
  'isIssuedBy (the certificate fuzzed)': (pem: string) => isIssuedBy(pem, caPem),
  'isIssuedBy (the issuer fuzzed)': (pem: string) => isIssuedBy(devicePem, pem),
};

describe('valid samples parse (the fuzzing starts from inputs that get deep into the parsers)', () => {
  test('CSRs: accepted keys parse, refused keys are UNSUPPORTED_KEY', async () => {
    for (const name of ['rsa2048', 'p256', 'p384', 'p521']) await expect(parseCsr(encodePem(csrs[name], 'CERTIFICATE REQUEST'))).resolves.toBeDefined();
    for (const name of ['rsa1024', 'secp256k1', 'ed25519']) {
      await expect(parseCsr(encodePem(csrs[name], 'CERTIFICATE REQUEST'))).rejects.toMatchObject({ code: 'UNSUPPORTED_KEY' });
    }
  });

  test('certificates: each one inspects, the CAs are acceptable, the device certificate is issued by its CA', async () => {
    for (const der of Object.values(certificates)) expect(inspectCertificate(encodePem(der, 'CERTIFICATE')).certificateId).toMatch(/^[0-9a-f]{64}$/);
    await expect(assertAcceptableCaCertificate(caPem)).resolves.toBeDefined();
    await expect(isIssuedBy(devicePem, caPem)).resolves.toBe(true);
  });
});

describe.each(Object.entries(CSR_PARSERS))('%s', (_name, parse) => {
  const sample = fc.constantFrom('rsa2048', 'p256', 'p384', 'p521', 'rsa1024', 'secp256k1', 'ed25519');

  test('mutated valid CSRs (bit flips, truncation, length fields, insertions, deletions, splices): a result or a PkiError', async () => {
    const outcomes = new Set<string>();
    await fc.assert(fc.asyncProperty(sample, mutation, async (name, change) => {
      const der = mutate(csrs[name], change);
      outcomes.add(await onlyPkiErrors(() => parse(encodePem(der, 'CERTIFICATE REQUEST')), () => `${name} ${JSON.stringify(change)}: ${hex(der)}`));
    }), fuzzOptions(FUZZ_RUNS * 2));
    // The mutations get past the DER layer: signature checks and key policy see them too.
    expect([...outcomes]).toEqual(expect.arrayContaining(['MALFORMED_PEM', 'BAD_CSR_SIGNATURE', 'UNSUPPORTED_KEY']));
  });

  test('random bytes, bare or inside a SEQUENCE header: a PkiError', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, wrapped) => {
      const der = wrapped ? Uint8Array.from([0x30, 0x82, Math.floor(bytes.length / 256), bytes.length % 256, ...bytes]) : bytes;
      await onlyPkiErrors(() => parse(encodePem(der, 'CERTIFICATE REQUEST')), () => hex(der));
    }), fuzzOptions());
  });

  test('random text: a PkiError', async () => {
    await fc.assert(fc.asyncProperty(pemLikeText('CERTIFICATE REQUEST'), async (text) => {
      await onlyPkiErrors(() => parse(text), () => JSON.stringify(text.slice(0, 200)));
    }), fuzzOptions());
  });
});

describe.each(Object.entries(CERTIFICATE_PARSERS))('%s', (_name, parse) => {
  const sample = fc.constantFrom('ca', 'rsaCa', 'device', 'ed25519');

  test('mutated valid certificates (bit flips, truncation, length fields, insertions, deletions, splices): a result or a PkiError', async () => {
    const outcomes = new Set<string>();
    await fc.assert(fc.asyncProperty(sample, mutation, async (name, change) => {
      const der = mutate(certificates[name], change);
      outcomes.add(await onlyPkiErrors(() => parse(encodePem(der, 'CERTIFICATE')), () => `${name} ${JSON.stringify(change)}: ${hex(der)}`));
    }), fuzzOptions());
    // Some mutations still parse (they land in a signature or a name), the others are refused: both paths are exercised.
    expect(outcomes.has('ok') || outcomes.size > 2).toBe(true);
    expect(outcomes.size).toBeGreaterThan(1);
  });

  test('random bytes, bare or inside a SEQUENCE header: a PkiError', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, wrapped) => {
      const der = wrapped ? Uint8Array.from([0x30, 0x82, Math.floor(bytes.length / 256), bytes.length % 256, ...bytes]) : bytes;
      await onlyPkiErrors(() => parse(encodePem(der, 'CERTIFICATE')), () => hex(der));
    }), fuzzOptions(Math.ceil(FUZZ_RUNS / 2)));
  });

  test('random text: a PkiError', async () => {
    await fc.assert(fc.asyncProperty(pemLikeText('CERTIFICATE'), async (text) => {
      await onlyPkiErrors(() => parse(text), () => JSON.stringify(text.slice(0, 200)));
    }), fuzzOptions(Math.ceil(FUZZ_RUNS / 2)));
  });
});

test('certificateIdOf answers AWS IoT\'s id (lowercase hex SHA-256 of the DER) or a PkiError, for any mutation', async () => {
  await fc.assert(fc.asyncProperty(fc.constantFrom('ca', 'device'), mutation, async (name, change) => {
    const der = mutate(certificates[name], change);
    let id: string | undefined;
    await onlyPkiErrors(() => {
      id = certificateIdOf(encodePem(der, 'CERTIFICATE'));
    }, () => hex(der));
    if (id !== undefined) expect(id).toBe(createHash('sha256').update(der).digest('hex'));
  }), fuzzOptions());
});

test('describePublicKey (the DER reader behind every key check): any SubjectPublicKeyInfo mutation describes or throws a PkiError', async () => {
  const spkis = Object.values(csrs).map((der) => {
    // The SubjectPublicKeyInfo is the third element of the CertificationRequestInfo.
    const outer = readElement(der, 0);
    const requestInfo = readElement(der, outer.contentStart, outer.end);
    const [, , spki] = childrenOf(der, requestInfo);
    return der.slice(spki.start, spki.end);
  });
  await fc.assert(fc.asyncProperty(fc.nat({ max: spkis.length - 1 }), mutation, async (index, change) => {
    const der = mutate(spkis[index], change);
    await onlyPkiErrors(() => describePublicKey(der), () => hex(der));
  }), fuzzOptions(FUZZ_RUNS * 2));
});

describe('huge inputs and lengths: refused quickly, no allocation of what a length field claims', () => {
  const claims: Array<[string, number[]]> = [
    ['a SEQUENCE claiming 2^32 - 1 bytes', [0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00]],
    ['a SEQUENCE claiming 2^31 - 1 bytes', [0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00]],
    ['eight length octets', [0x30, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 0x02, 0x01, 0x00]],
    ['the indefinite form', [0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00]],
    ['a header with no length', [0x30]],
    ['16 nested SEQUENCEs with wrong lengths', Array.from({ length: 16 }, (_, i) => [0x30, 0x82, 0x10, i]).flat()],
  ];
  test.each(claims)('%s', async (_name, bytes) => {
    const der = Uint8Array.from(bytes);
    for (const parse of [...Object.values(CSR_PARSERS), ...Object.values(CERTIFICATE_PARSERS)]) {
      for (const label of ['CERTIFICATE REQUEST', 'CERTIFICATE']) await onlyPkiErrors(() => parse(encodePem(der, label)), () => hex(der));
    }
  });

  test('a 2 MiB PEM body, 64 KiB of BEGIN lines, a 64 KiB label: each a PkiError in well under a second', async () => {
    const inputs = [
      encodePem(new Uint8Array(2 * 1024 * 1024).fill(0x30), 'CERTIFICATE'),
      '-----BEGIN CERTIFICATE-----\n'.repeat(2400),
      `-----BEGIN ${'A'.repeat(64 * 1024)}`,
      `-----BEGIN CERTIFICATE-----${'-'.repeat(64 * 1024)}`,
    ];
    for (const text of inputs) {
      const started = performance.now();
      for (const parse of [...Object.values(CSR_PARSERS), ...Object.values(CERTIFICATE_PARSERS)]) {
        await onlyPkiErrors(() => parse(text), () => text.slice(0, 60));
      }
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });
});

test('decodePem: any text is one block of an expected label, or MALFORMED_PEM', () => {
  fc.assert(fc.property(pemLikeText('CERTIFICATE'), (text) => {
    try {
      const { label, der } = decodePem(text, ['CERTIFICATE'], 'certificate');
      expect(label).toBe('CERTIFICATE');
      expect(der.length).toBeGreaterThan(0);
    } catch (error) {
      expect(error).toBeInstanceOf(PkiError);
      expect((error as PkiError).code).toBe('MALFORMED_PEM');
    }
  }), fuzzOptions(FUZZ_RUNS * 4));
});

/** Text a PEM parser sees: PEM pieces, base64, unicode, control characters, in any order; sometimes a real sample's PEM cut up. */
function pemLikeText(label: string): fc.Arbitrary<string> {
  const pieces = fc.constantFrom(
    `-----BEGIN ${label}-----`, `-----END ${label}-----`, '-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----',
    '-----BEGIN PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----', 'Proc-Type: 4,ENCRYPTED', '\n', '\r\n', ' ', '-', '=', '==',
    'MIIB', 'AAAA', '////', '+/+/', '\u0000', '\u202e', '\ud83d\udd12', '<script>', "' OR 1=1 --", '${jndi:ldap://x}',
  );
  return fc.oneof(
    fc.array(fc.oneof(pieces, fc.base64String({ maxLength: 128 }), fc.string({ unit: 'binary', maxLength: 16 })), { maxLength: 24 })
      .map((parts) => parts.join('')),
    fc.string({ unit: 'grapheme', maxLength: 256 }),
    fc.tuple(fc.base64String({ maxLength: 2048 }), fc.constantFrom('\n', '', ' ')).map(([body, gap]) => `-----BEGIN ${label}-----${gap}${body}${gap}-----END ${label}-----`),
  );
}
