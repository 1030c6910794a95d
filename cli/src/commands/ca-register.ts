import {
  DescribeCACertificateCommand, GetRegistrationCodeCommand, RegisterCACertificateCommand, type IoTClient, type RegistrationConfig,
} from '@aws-sdk/client-iot';
import { certificateIdOf, createVerificationCertificate, type CertificateAuthority } from '../../../lambda-assets/shared/pki';
import { awsCall, explainAwsError } from '../aws/aws-errors';
import { awsSettings, iotClient, stackApiFor } from '../aws/aws-settings';
import { postToStackApi } from '../aws/stack-api';
import { choiceOption, integerOption, stringOption, usageOptionConflict, type Command, type CommandContext } from '../command';
import { CliError, EXIT, usageError } from '../exit-codes';
import { readInputFile } from '../files';
import { loadLocalCa } from '../local-ca';
import { KEY_ALGORITHM_USAGE, keyAlgorithmOption, SUBJECT_USAGE, subjectOption } from '../pki-options';

const MODES = ['DEFAULT', 'SNI_ONLY'] as const;
type Mode = (typeof MODES)[number];

/** `ca register`: a CA into AWS IoT directly, or through a cdk-iot-security stack's `/caRegister`. */
export const caRegister: Command = {
  name: 'ca register',
  summary: 'register a CA with AWS IoT (DEFAULT with a verification certificate, or SNI_ONLY), for JITR or a JITP template',
  usage: [
    '  --ca-cert FILE --ca-key FILE   the CA (the key signs the verification certificate in DEFAULT mode and is never sent)',
    '  --mode DEFAULT|SNI_ONLY        (default DEFAULT: proves the key with this account\'s registration code; SNI_ONLY: no proof,',
    '                                  the CA may be registered in several accounts, devices must send SNI)',
    '  through a cdk-iot-security stack (recommended: the stack tracks the CA, its verifier and its template):',
    '    --api URL (its /caRegister or base URL) [--verifier NAME]',
    `    without --ca-cert the stack makes the CA and keeps its key in its vault: [${KEY_ALGORITHM_USAGE}] [${SUBJECT_USAGE}]`,
    '    [--validity-days N]; with caKeyStorage KMS the key is in AWS KMS instead, and its ARN is printed (kmsKeyArn)',
    '  straight to AWS IoT:',
    '    --jitr                       enable auto-registration (just-in-time registration)',
    '    --template-name NAME         JITP: auto-registration with this provisioning template',
    '    --template-body FILE --role-arn ARN   JITP with an inline template and its provisioning role',
    '    --inactive                   register INACTIVE (default ACTIVE)   --tag KEY=VALUE (repeatable)',
  ].join('\n'),
  options: {
    'ca-cert': { type: 'string' },
    'ca-key': { type: 'string' },
    'mode': { type: 'string' },
    'api': { type: 'string' },
    'verifier': { type: 'string' },
    'key-algorithm': { type: 'string' },
    'subject': { type: 'string' },
    'common-name': { type: 'string' },
    'validity-days': { type: 'string' },
    'jitr': { type: 'boolean', default: false },
    'template-name': { type: 'string' },
    'template-body': { type: 'string' },
    'role-arn': { type: 'string' },
    'inactive': { type: 'boolean', default: false },
    'tag': { type: 'string', multiple: true },
  },
  usesAws: true,
  async run(context) {
    const { values } = context;
    const mode = choiceOption(values, 'mode', MODES, 'DEFAULT');
    const api = stringOption(values, 'api');
    if (api !== undefined) {
      for (const direct of ['jitr', 'template-name', 'template-body', 'role-arn', 'inactive', 'tag']) {
        if (values[direct] !== undefined && values[direct] !== false) {
          throw usageError(`--${direct} is for registering straight to AWS IoT; with --api the stack decides it (auto-registration, its template)`);
        }
      }
      return registerThroughApi(context, api, mode);
    }
    for (const apiOnly of ['verifier', 'key-algorithm', 'subject', 'common-name', 'validity-days']) {
      if (values[apiOnly] !== undefined) throw usageError(`--${apiOnly} needs --api (a stack's /caRegister); straight to AWS IoT, give --ca-cert`);
    }
    return registerDirectly(context, mode);
  },
};

/** The CA of --ca-cert, with its key when DEFAULT mode needs it to sign the verification certificate. */
async function caFiles(context: CommandContext, mode: Mode): Promise<{ certificatePem: string; authority?: CertificateAuthority }> {
  const { values } = context;
  if (mode === 'DEFAULT') {
    const ca = await loadLocalCa(values, 'in DEFAULT mode (its key signs the verification certificate; or --mode SNI_ONLY)');
    return { certificatePem: ca.certificatePem, authority: ca.authority };
  }
  const file = stringOption(values, 'ca-cert');
  if (file === undefined) throw usageError('--ca-cert is required');
  return { certificatePem: readInputFile('ca-cert', file) };
}

/** A verification certificate for this account: CN = its registration code, signed by the CA key. */
async function verificationCertificate(iot: IoTClient, authority: CertificateAuthority): Promise<string> {
  const { registrationCode } = await awsCall('GetRegistrationCode', () => iot.send(new GetRegistrationCodeCommand({})));
  if (!registrationCode) throw new CliError('GetRegistrationCode answered no code', EXIT.FAILURE);
  return (await createVerificationCertificate(authority, registrationCode)).certificatePem;
}

async function registerDirectly(context: CommandContext, mode: Mode): Promise<number> {
  const { values, out } = context;
  usageOptionConflict(values, ['template-name', 'template-body'], 'a CA carries one template');
  const templateBodyFile = stringOption(values, 'template-body');
  const roleArn = stringOption(values, 'role-arn');
  if ((templateBodyFile === undefined) !== (roleArn === undefined)) throw usageError('--template-body and --role-arn go together');
  const templateName = stringOption(values, 'template-name');
  const registrationConfig: RegistrationConfig | undefined = templateName !== undefined ? { templateName }
    : templateBodyFile !== undefined ? { templateBody: readInputFile('template-body', templateBodyFile), roleArn } : undefined;
  const autoRegistration = values.jitr === true || registrationConfig !== undefined;
  const tags = ((values.tag ?? []) as string[]).map(parseTag);

  const ca = await caFiles(context, mode);
  const iot = await iotClient(awsSettings(values));
  const verificationCertificatePem = ca.authority ? await verificationCertificate(iot, ca.authority) : undefined;
  const caCertificateId = certificateIdOf(ca.certificatePem);
  try {
    await out.step('RegisterCACertificate', () => iot.send(new RegisterCACertificateCommand({
      caCertificate: ca.certificatePem,
      verificationCertificate: verificationCertificatePem,
      certificateMode: mode,
      setAsActive: values.inactive !== true,
      allowAutoRegistration: autoRegistration,
      registrationConfig,
      tags: tags.length > 0 ? tags : undefined,
    })));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceAlreadyExistsException') throw explainAwsError(error, 'RegisterCACertificate');
    out.warn(`this CA is registered already (${caCertificateId}); its current settings follow, unchanged`);
  }
  const { certificateDescription: registered, registrationConfig: config } = await awsCall('DescribeCACertificate',
    () => iot.send(new DescribeCACertificateCommand({ certificateId: caCertificateId })));
  return report(context, {
    caCertificateId,
    caCertificateArn: registered?.certificateArn,
    status: registered?.status,
    certificateMode: registered?.certificateMode,
    autoRegistrationStatus: registered?.autoRegistrationStatus,
    templateName: config?.templateName,
    registeredThrough: 'AWS IoT',
  });
}

async function registerThroughApi(context: CommandContext, apiText: string, mode: Mode): Promise<number> {
  const { values, out } = context;
  const settings = awsSettings(values);
  const api = await stackApiFor(settings, apiText);
  const verifierName = stringOption(values, 'verifier');
  const body: Record<string, unknown> = { certificateMode: mode, ...(verifierName ? { verifierName } : {}) };
  if (values['ca-cert'] !== undefined) {
    for (const generatedOnly of ['key-algorithm', 'subject', 'common-name', 'validity-days']) {
      if (values[generatedOnly] !== undefined) throw usageError(`--${generatedOnly} is for a CA the stack makes; with --ca-cert the CA is yours`);
    }
    // Your CA: only its certificate (and in DEFAULT mode the verification certificate) goes to the stack.
    const ca = await caFiles(context, mode);
    body.caCertificatePem = ca.certificatePem;
    if (ca.authority) body.verificationCertificatePem = await verificationCertificate(await iotClient(settings), ca.authority);
  } else {
    if (values['ca-key'] !== undefined) throw usageError('--ca-key without --ca-cert: give both, or neither for a CA the stack makes');
    body.keyAlgorithm = keyAlgorithmOption(values);
    body.validityDays = integerOption(values, 'validity-days', 3650, 1, 18250);
    if (values.subject !== undefined || values['common-name'] !== undefined) body.csrSubjects = subjectOption(values);
  }
  const answer = await out.step(`POST ${api.baseUrl}/caRegister`, () => postToStackApi(api, '/caRegister', body));
  return report(context, {
    caCertificateId: answer.caCertificateId,
    caCertificateArn: answer.caCertificateArn,
    certificateMode: mode,
    verifierName,
    // Where the stack keeps the CA key (VAULT, KMS, or NONE for your own CA), and with KMS the key to sign with.
    keyStorage: answer.keyStorage,
    kmsKeyArn: answer.kmsKeyArn,
    caCertificatePem: answer.caCertificatePem,
    registeredThrough: `${api.baseUrl}/caRegister`,
  }, answer.kmsKeyArn ? kmsSigningHint(answer.caCertificateId, answer.kmsKeyArn) : []);
}

/**
 * A JITR stack has no device certificate API, so with a CA key in KMS the factory signs itself;
 * the answer is the only place that names the key outside the vault.
 */
function kmsSigningHint(caCertificateId: string, kmsKeyArn: string): string[] {
  return [
    'next (JITR): save caCertificatePem (--json) as ca.cert.pem, then, as one of the stack\'s caKeySigners roles:',
    `      cdk-iot-security-cli device cert --ca-cert ca.cert.pem --kms-key ${kmsKeyArn} --common-name <device>`,
    `      (a JITP stack issues device certificates itself: device cert --api <its URL> --ca-certificate-id ${caCertificateId})`,
  ];
}

function report({ out }: CommandContext, result: Record<string, string | undefined>, next: readonly string[] = []): number {
  const lines = [`CA ${result.caCertificateId} registered (through ${result.registeredThrough})`];
  for (const [key, value] of Object.entries(result)) {
    if (value !== undefined && key !== 'caCertificateId' && key !== 'registeredThrough' && key !== 'caCertificatePem') lines.push(`  ${key}: ${value}`);
  }
  out.result(Object.fromEntries(Object.entries(result).filter(([, value]) => value !== undefined)), [...lines, ...next]);
  return 0;
}

function parseTag(text: string): { Key: string; Value: string } {
  const equals = text.indexOf('=');
  if (equals <= 0) throw usageError(`--tag: expected KEY=VALUE, got "${text}"`);
  return { Key: text.slice(0, equals), Value: text.slice(equals + 1) };
}
