import { createCaCertificate, inspectCertificate } from '../../../lambda-assets/shared/pki';
import { integerOption, stringOption, type Command } from '../command';
import { writeOutputFiles } from '../files';
import { KEY_ALGORITHM_USAGE, keyAlgorithmOption, SUBJECT_USAGE, subjectOption } from '../pki-options';

/** `ca create`: a self-signed root CA for AWS IoT, its key written for the owner's eyes only. */
export const caCreate: Command = {
  name: 'ca create',
  summary: 'create a CA (RSA or ECDSA): <name>.cert.pem, and <name>.key.pem readable by you alone',
  usage: [
    `  ${KEY_ALGORITHM_USAGE}   (default ECDSA-P256)`,
    `  ${SUBJECT_USAGE}   (default CN "cdk-iot-security CA")`,
    '  --validity-days N   1 to 18250 (default 3650)',
    '  --out-dir DIR       where to write (default: the current directory)   --name NAME  file prefix (default "ca")',
    '  --force             replace existing files',
  ].join('\n'),
  options: {
    'key-algorithm': { type: 'string' },
    'subject': { type: 'string' },
    'common-name': { type: 'string' },
    'validity-days': { type: 'string' },
    'out-dir': { type: 'string' },
    'name': { type: 'string' },
    'force': { type: 'boolean', default: false },
  },
  usesAws: false,
  async run({ values, out }) {
    const keyAlgorithm = keyAlgorithmOption(values);
    const subject = subjectOption(values, 'cdk-iot-security CA');
    const validityDays = integerOption(values, 'validity-days', 3650, 1, 18250);
    const name = stringOption(values, 'name') ?? 'ca';
    const outDir = stringOption(values, 'out-dir') ?? '.';
    const ca = await out.step(`generating a ${keyAlgorithm} CA key`, () => createCaCertificate({ subject, keyAlgorithm, validityDays }));
    const [certificateFile, privateKeyFile] = writeOutputFiles(outDir, [
      { name: `${name}.cert.pem`, content: ca.certificatePem, secret: false },
      { name: `${name}.key.pem`, content: ca.privateKeyPem, secret: true },
    ], values.force === true);
    const info = inspectCertificate(ca.certificatePem);
    out.result({
      certificateId: ca.certificateId,
      certificateFile,
      privateKeyFile,
      subject: info.subjectName,
      keyAlgorithm,
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
    }, [
      `CA ${info.subjectName} (${keyAlgorithm}), valid until ${info.notAfter.toISOString()}`,
      `  certificate: ${certificateFile}`,
      `  private key: ${privateKeyFile} (mode 0600: keep it offline or in a vault; whoever holds it can mint devices)`,
      `  id in AWS IoT once registered: ${ca.certificateId}`,
      `next: cdk-iot-security-cli ca register --ca-cert ${certificateFile} --ca-key ${privateKeyFile} --api <the stack's CaRegisterUrl>`,
      '      (or, straight to AWS IoT: --jitr, or --template-name for JITP)',
    ]);
    return 0;
  },
};
