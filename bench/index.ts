/**
 * How fast the shared PKI issues device certificates, against the WebCrypto ceiling and
 * against node-forge, the library the older tools use. A measurement, not a test: it prints
 * PASS/FAIL next to its targets and always exits 0.
 *
 *   npx ts-node --project tsconfig.dev.json bench/index.ts      (BENCH_SECONDS=3 by default)
 */
import { availableParallelism } from 'node:os';
import { createForgeCa, forgeUsesNativeKeyGeneration, issueWithForge } from './forge-baseline';
import { measureHandlerColdStarts } from './handler-cold-start';
import { measureRate, measureRatePair, type MeasureOptions } from './measure';
import { rawEcdsaP256KeyAndSignature, rawRsa2048KeyAndSignature } from './raw-webcrypto';
import { printJsonLines, printTable, type Figure } from './report';
import {
  createCaCertificate,
  isIssuedBy,
  issueDeviceCertificateWithNewKey,
  loadCertificateAuthority,
  type CertificateAuthority,
  type KeyAlgorithm,
} from '../lambda-assets/shared/pki';

/** Async WebCrypto work overlaps in libuv's thread pool; a handful in flight is what a busy Lambda sees. */
const ASYNC_CONCURRENCY = 4;
const SECONDS = positiveNumber(process.env.BENCH_SECONDS, 3);
const WARMUP_SECONDS = Math.min(1, SECONDS / 4);
/** Turns each side of a compared pair gets (see measureRatePair). */
const SLICES = 6;

const P256_CEILING_SHARE_TARGET = 0.25;
const P256_OVER_FORGE_TARGET = 50;

async function main(): Promise<void> {
  const asyncRun = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, concurrency: ASYNC_CONCURRENCY, slices: SLICES };
  // forge signs synchronously on the main thread: more loops in flight would only interleave.
  const syncRun: MeasureOptions = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, concurrency: 1 };

  const p256Ca = await preloadedCa('ECDSA-P256');
  const rsaCa = await preloadedCa('RSA-2048');
  const forgeCa = createForgeCa();
  await assertIssuanceWorks(p256Ca, rsaCa);

  let device = 0;
  const subject = () => ({ commonName: `bench-device-${device++}`, organizationName: 'Bench' });

  // Each of our figures is measured interleaved with its ceiling, so the ratio survives a busy host.
  const [oursP256, rawP256] = await measureRatePair(
    () => issueDeviceCertificateWithNewKey(p256Ca, { keyAlgorithm: 'ECDSA-P256', subject: subject(), validityDays: 365 }),
    rawEcdsaP256KeyAndSignature,
    asyncRun,
  );
  const [oursRsa, rawRsa] = await measureRatePair(
    () => issueDeviceCertificateWithNewKey(rsaCa, { keyAlgorithm: 'RSA-2048', subject: subject(), validityDays: 365 }),
    rawRsa2048KeyAndSignature,
    asyncRun,
  );
  const forgeRsa = await measureRate(() => issueWithForge(forgeCa, `bench-device-${device++}`), syncRun);

  const figures: Figure[] = [
    { metric: 'pki_issue_ecdsa_p256_per_second', value: oursP256.perSecond, unit: 'certs/s', label: 'our PKI, ECDSA-P256 device (keygen + cert + PEMs)' },
    { metric: 'webcrypto_ceiling_ecdsa_p256_per_second', value: rawP256.perSecond, unit: 'ops/s', label: 'raw WebCrypto ceiling, P-256 generateKey + sign' },
    { metric: 'pki_issue_rsa_2048_per_second', value: oursRsa.perSecond, unit: 'certs/s', label: 'our PKI, RSA-2048 device (keygen + cert + PEMs)' },
    { metric: 'webcrypto_ceiling_rsa_2048_per_second', value: rawRsa.perSecond, unit: 'ops/s', label: 'raw WebCrypto ceiling, RSA-2048 generateKey + sign' },
    { metric: 'forge_issue_rsa_2048_per_second', value: forgeRsa.perSecond, unit: 'certs/s', label: 'node-forge baseline, RSA-2048 device' },
    {
      metric: 'ratio_pki_to_ceiling_ecdsa_p256',
      value: oursP256.perSecond / rawP256.perSecond,
      unit: 'ratio',
      label: 'our P-256 / P-256 ceiling',
      target: { minimum: P256_CEILING_SHARE_TARGET, description: `>= ${P256_CEILING_SHARE_TARGET}` },
    },
    { metric: 'ratio_pki_to_ceiling_rsa_2048', value: oursRsa.perSecond / rawRsa.perSecond, unit: 'ratio', label: 'our RSA-2048 / RSA-2048 ceiling' },
    {
      metric: 'ratio_pki_p256_to_forge_rsa_2048',
      value: oursP256.perSecond / forgeRsa.perSecond,
      unit: 'ratio',
      label: 'our P-256 / forge RSA-2048',
      target: { minimum: P256_OVER_FORGE_TARGET, description: `>= ${P256_OVER_FORGE_TARGET}x` },
    },
    { metric: 'ratio_pki_rsa_2048_to_forge_rsa_2048', value: oursRsa.perSecond / forgeRsa.perSecond, unit: 'ratio', label: 'our RSA-2048 / forge RSA-2048' },
  ];

  printTable(`Device certificate issuance (${SECONDS} s per figure after ${WARMUP_SECONDS} s warm-up)`, figures, [
    `Node ${process.version}, ${availableParallelism()} CPUs, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
    `WebCrypto figures (ours and the ceiling) keep ${ASYNC_CONCURRENCY} operations in flight; node-forge runs one at a time (it is synchronous)`,
    `ours and its ceiling are measured in ${SLICES} alternating slices each, so load from elsewhere hits both alike`,
    'RSA figures count only a few dozen key generations, whose time varies a lot: expect +-20% between runs',
    `node-forge key generation: ${forgeUsesNativeKeyGeneration() ? 'native (Node crypto.generateKeyPairSync); signing pure JS' : 'pure JavaScript'}`,
    'each device from our PKI: new key pair, certificate signed by a CA loaded from PEM, certificate/private/public key PEMs, certificate id',
  ]);
  printJsonLines(figures);

  const coldStarts = measureHandlerColdStarts();
  printTable('Bundled handlers (assets/handlers; run `npx projen bundle` first)', coldStarts, [
    'load time: require() of the bundle in a new Node process, AWS SDK clients created at load included',
    'the AWS SDK v3 is not bundled (the Lambda runtime provides it); it loads from node_modules here',
  ]);
  printJsonLines(coldStarts);
}

/** A CA of the given algorithm, loaded back from its PEMs as a handler would at cold start. */
async function preloadedCa(keyAlgorithm: KeyAlgorithm): Promise<CertificateAuthority> {
  const generated = await createCaCertificate({ subject: { commonName: `Bench Root ${keyAlgorithm}` }, keyAlgorithm, validityDays: 365 });
  return loadCertificateAuthority(generated.certificatePem, generated.privateKeyPem);
}

/** A fast PKI that issues broken certificates would be worthless; check one of each first. */
async function assertIssuanceWorks(...authorities: CertificateAuthority[]): Promise<void> {
  for (const authority of authorities) {
    const issued = await issueDeviceCertificateWithNewKey(authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'check' }, validityDays: 1 });
    if (!await isIssuedBy(issued.certificatePem, authority.certificatePem)) {
      throw new Error('sanity check failed: an issued certificate does not verify against its CA');
    }
  }
}

function positiveNumber(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

main().catch(error => {
  // Missing a target still exits 0 (see above); a crash is not a measurement and says so.
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
