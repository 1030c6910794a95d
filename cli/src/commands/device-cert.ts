import { inspectCertificate, issueDeviceCertificate, parseCsr, PkiError, type SubjectFields } from '../../../lambda-assets/shared/pki';
import { awsSettings, stackApiFor } from '../aws/aws-settings';
import { explainKmsError } from '../aws/kms-errors';
import { postToStackApi } from '../aws/stack-api';
import { integerOption, stringOption, usageOptionConflict, type Command, type CommandContext } from '../command';
import { certificateChain } from '../device/pem';
import { fileError, usageError } from '../exit-codes';
import { fileNameOption, readInputFile, writeOutputFiles, type OutputFile } from '../files';
import { loadKmsCa } from '../kms-ca';
import { loadLocalCa, type LocalCa } from '../local-ca';
import { createCsrPem, existingDeviceKey, newDeviceKey, type DeviceKey } from '../pki/device-keys';
import { KEY_ALGORITHM_USAGE, keyAlgorithmOption, SUBJECT_USAGE, subjectOption } from '../pki-options';

/** Where the key comes from: the device's CSR, a key file, a key made here, or (API only) one the stack makes. */
type KeySource =
  | { readonly kind: 'csr'; readonly csrPem: string; readonly file: string }
  | { readonly kind: 'local'; readonly key: DeviceKey; readonly file?: string }
  | { readonly kind: 'server' };

/** `device cert`: a device certificate from a local CA, a CA whose key AWS KMS holds, or a deployed JITP stack's API. */
export const deviceCert: Command = {
  name: 'device cert',
  summary: 'issue a device certificate from a local CA (--ca-cert/--ca-key), a KMS-held CA key (--kms-key) or a JITP stack (--api)',
  usage: [
    '  from a local CA:   --ca-cert FILE --ca-key FILE [--validity-days N (1-3650, default 365)]',
    '  from a CA key in AWS KMS: --ca-cert FILE --kms-key KEY_ID|KEY_ARN|alias/NAME [--validity-days N]',
    '                     signs through KMS Sign as the caller, who must be a signer the key policy names (a stack\'s caKeySigners);',
    '                     the key must be the certificate\'s (an asymmetric SIGN_VERIFY ECC_NIST_P256/P384 or RSA_2048/3072/4096 key);',
    '                     --endpoint-url is then the KMS endpoint (default: AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, then AWS\'s own)',
    '  from a JITP stack: --api URL (its /deviceCertificateGenerate or base URL) --ca-certificate-id ID [--validity-days N]',
    '                     [--server-key: the stack makes the key and returns it once; default: the key is made here]',
    `  the key: --csr FILE (the device keeps its key) | --key FILE | a new one: ${KEY_ALGORITHM_USAGE} (default ECDSA-P256)`,
    `  ${SUBJECT_USAGE}   (required unless --csr gives it)`,
    '  --out-dir DIR (default: the current directory)   --name NAME  file prefix (default: the CN)   --force',
    '  writes NAME.cert.pem, NAME.chain.pem (certificate + CA: what the device presents), NAME.key.pem (a new key, mode 0600);',
    '  from --api also amazon-root-cas.pem (Amazon Root CA 1 and 3, for the device to trust)',
  ].join('\n'),
  options: {
    'ca-cert': { type: 'string' },
    'ca-key': { type: 'string' },
    'kms-key': { type: 'string' },
    'api': { type: 'string' },
    'ca-certificate-id': { type: 'string' },
    'server-key': { type: 'boolean', default: false },
    'csr': { type: 'string' },
    'key': { type: 'string' },
    'key-algorithm': { type: 'string' },
    'subject': { type: 'string' },
    'common-name': { type: 'string' },
    'validity-days': { type: 'string' },
    'out-dir': { type: 'string' },
    'name': { type: 'string' },
    'force': { type: 'boolean', default: false },
  },
  usesAws: true,
  async run(context) {
    const { values } = context;
    const api = stringOption(values, 'api');
    usageOptionConflict(values, ['csr', 'key', 'server-key'], 'name one source for the key');
    usageOptionConflict(values, ['kms-key', 'ca-key'], 'the CA key is either in AWS KMS (--kms-key) or a local file (--ca-key)');
    usageOptionConflict(values, ['kms-key', 'api'], '--api issues with the stack\'s CA; --kms-key signs here with a CA key in AWS KMS');
    if (api !== undefined) usageOptionConflict(values, ['api', 'ca-cert'], '--api issues with the stack\'s CA; --ca-cert/--ca-key with a local one');
    if (values['server-key'] === true && api === undefined) throw usageError('--server-key needs --api: a local CA signs keys made here anyway');
    const source = await keySource(context);
    const issued = api === undefined ? await issueLocally(context, source) : await issueThroughApi(context, api, source);
    return writeIssued(context, issued);
  },
};

async function keySource({ values, out }: CommandContext): Promise<KeySource> {
  const csrFile = stringOption(values, 'csr');
  if (csrFile !== undefined) return { kind: 'csr', csrPem: readInputFile('csr', csrFile), file: csrFile };
  if (values['server-key'] === true) return { kind: 'server' };
  const keyFile = stringOption(values, 'key');
  if (keyFile !== undefined) return { kind: 'local', key: await existingDeviceKey(readInputFile('key', keyFile), keyFile), file: keyFile };
  const algorithm = keyAlgorithmOption(values);
  return { kind: 'local', key: await out.step(`generating a ${algorithm} key`, () => newDeviceKey(algorithm)) };
}

interface Issued {
  readonly certificatePem: string;
  /** The KMS key that signed it, when the CA key is in AWS KMS. */
  readonly kmsKeyArn?: string;
  readonly caCertificatePem: string;
  /** A key to write: made here or by the stack. */
  readonly newKeyPem?: string;
  readonly existingKeyFile?: string;
  readonly amazonRootCasPem?: string;
  readonly endpoint?: string;
  readonly caCertificateId?: string;
}

/** Signs here: with a CA key file, or through KMS Sign with a CA key AWS KMS holds. */
async function issueLocally({ values, out }: CommandContext, source: KeySource): Promise<Issued> {
  // The request is checked first, so a command-line slip costs no call to KMS.
  const validityDays = integerOption(values, 'validity-days', 365, 1, 3650);
  const { publicKey, subject } = source.kind === 'csr'
    ? await fromCsr(source.csrPem, source.file, values)
    : { publicKey: (source as Extract<KeySource, { kind: 'local' }>).key.keys.publicKey, subject: subjectOption(values) };
  const ca: LocalCa & { keyArn?: string } = values['kms-key'] !== undefined
    ? await loadKmsCa(values, awsSettings(values), out)
    : await loadLocalCa(values, 'to sign with a local CA (or --kms-key for a CA key in AWS KMS, --api for a stack\'s CA)');
  const issue = () => issueDeviceCertificate(ca.authority, { publicKey, subject, validityDays });
  const { certificatePem } = ca.keyArn === undefined ? await issue() : await out.step(`KMS Sign ${ca.keyArn}`, async () => {
    try {
      return await issue();
    } catch (error) {
      throw explainKmsError(error, 'Sign', ca.keyArn!, stringOption(values, 'endpoint-url'));
    }
  });
  return {
    certificatePem,
    kmsKeyArn: ca.keyArn,
    caCertificatePem: ca.certificatePem,
    newKeyPem: source.kind === 'local' && !source.file ? source.key.privateKeyPem : undefined,
    existingKeyFile: source.kind === 'local' ? source.file : undefined,
  };
}

/** The CSR's key and subject; `--subject` may not contradict a CSR, whose subject is what the device asked for. */
async function fromCsr(csrPem: string, file: string, values: CommandContext['values']): Promise<{ publicKey: CryptoKey; subject: SubjectFields }> {
  if (values.subject !== undefined || values['common-name'] !== undefined) {
    throw usageError('--csr carries the subject: drop --subject/--common-name, or make a new CSR with `device csr`');
  }
  try {
    const csr = await parseCsr(csrPem);
    return { publicKey: csr.publicKey as CryptoKey, subject: csr.subject };
  } catch (error) {
    if (error instanceof PkiError) throw fileError(`--csr: ${file}: ${error.message}`);
    throw error;
  }
}

async function issueThroughApi(context: CommandContext, apiText: string, source: KeySource): Promise<Issued> {
  const { values, out } = context;
  const caCertificateId = stringOption(values, 'ca-certificate-id');
  if (!caCertificateId || !/^[0-9a-f]{64}$/.test(caCertificateId)) {
    throw usageError('--ca-certificate-id: the 64-hex id of the stack\'s CA is required with --api (`ca list` shows it)');
  }
  const api = await stackApiFor(awsSettings(values), apiText);
  const validityDays = values['validity-days'] === undefined ? undefined : integerOption(values, 'validity-days', 365, 1, 3650);
  const body: Record<string, unknown> = { caCertificateId, ...(validityDays ? { validityDays } : {}) };
  if (source.kind === 'csr') {
    body.csrPem = source.csrPem;
  } else if (source.kind === 'local') {
    // The key stays here: only its CSR goes to the stack.
    body.csrPem = await createCsrPem(source.key, subjectOption(values));
  } else {
    body.keyAlgorithm = keyAlgorithmOption(values);
    body.subject = subjectOption(values);
  }
  const answer = await out.step(`POST ${api.baseUrl}/deviceCertificateGenerate`, () => postToStackApi(api, '/deviceCertificateGenerate', body));
  return {
    certificatePem: answer.certificatePem,
    caCertificatePem: answer.caCertificatePem,
    newKeyPem: source.kind === 'server' ? answer.privateKeyPem : source.kind === 'local' && !source.file ? source.key.privateKeyPem : undefined,
    existingKeyFile: source.kind === 'local' ? source.file : undefined,
    amazonRootCasPem: Object.values(answer.amazonRootCaPems ?? {}).join(''),
    endpoint: answer.endpoint,
    caCertificateId,
  };
}

function writeIssued({ values, out }: CommandContext, issued: Issued): number {
  const info = inspectCertificate(issued.certificatePem);
  const name = fileNameOption(values, info.subject.commonName);
  const files: OutputFile[] = [
    { name: `${name}.cert.pem`, content: issued.certificatePem, secret: false },
    { name: `${name}.chain.pem`, content: certificateChain(issued.certificatePem, issued.caCertificatePem), secret: false },
  ];
  if (issued.newKeyPem) files.push({ name: `${name}.key.pem`, content: issued.newKeyPem, secret: true });
  if (issued.amazonRootCasPem) files.push({ name: 'amazon-root-cas.pem', content: issued.amazonRootCasPem, secret: false });
  const paths = writeOutputFiles(stringOption(values, 'out-dir') ?? '.', files, values.force === true);
  const [certificateFile, chainFile] = paths;
  const privateKeyFile = issued.newKeyPem ? paths[2] : issued.existingKeyFile;
  const rootCaFile = issued.amazonRootCasPem ? paths[paths.length - 1] : undefined;
  out.result({
    certificateId: info.certificateId,
    certificateFile,
    chainFile,
    privateKeyFile: privateKeyFile ?? null,
    rootCaFile: rootCaFile ?? null,
    endpoint: issued.endpoint ?? null,
    caCertificateId: issued.caCertificateId ?? null,
    kmsKeyArn: issued.kmsKeyArn ?? null,
    subject: info.subjectName,
    serialNumber: info.serialNumber,
    notAfter: info.notAfter.toISOString(),
  }, [
    `device certificate ${info.subjectName}, serial ${info.serialNumber}, valid until ${info.notAfter.toISOString()}`,
    `  certificate: ${certificateFile}`,
    `  chain:       ${chainFile} (certificate + CA: present this on connect)`,
    ...(privateKeyFile ? [`  private key: ${privateKeyFile}${issued.newKeyPem ? ' (mode 0600)' : ''}`] : ['  private key: the one the CSR was made with']),
    ...(rootCaFile ? [`  Amazon roots: ${rootCaFile}`] : []),
    ...(issued.endpoint ? [`  endpoint:    ${issued.endpoint}`] : []),
    ...(issued.kmsKeyArn ? [`  signed with: ${issued.kmsKeyArn} (AWS KMS)`] : []),
    `  id in AWS IoT: ${info.certificateId}`,
    ...(privateKeyFile ? [`next: cdk-iot-security-cli device connect --cert ${chainFile} --key ${privateKeyFile}`] : []),
  ]);
  return 0;
}
