import { stringOption, type Command } from '../command';
import { fileNameOption, readInputFile, writeOutputFiles, type OutputFile } from '../files';
import { createCsrPem, existingDeviceKey, newDeviceKey } from '../pki/device-keys';
import { KEY_ALGORITHM_USAGE, keyAlgorithmOption, SUBJECT_USAGE, subjectOption } from '../pki-options';

/** `device csr`: a key that stays on this machine and the request a CA signs for it. */
export const deviceCsr: Command = {
  name: 'device csr',
  summary: 'make a device key (or use --key) and its CSR; only the CSR leaves the device',
  usage: [
    `  ${SUBJECT_USAGE}   (required; a JITP template reads its fields, e.g. CN, O, C)`,
    `  ${KEY_ALGORITHM_USAGE}   (default ECDSA-P256)   or --key FILE: an existing unencrypted key`,
    '  --out-dir DIR   (default: the current directory)   --name NAME  file prefix (default: the CN)   --force',
  ].join('\n'),
  options: {
    'subject': { type: 'string' },
    'common-name': { type: 'string' },
    'key-algorithm': { type: 'string' },
    'key': { type: 'string' },
    'out-dir': { type: 'string' },
    'name': { type: 'string' },
    'force': { type: 'boolean', default: false },
  },
  usesAws: false,
  async run({ values, out }) {
    const subject = subjectOption(values);
    const keyFile = stringOption(values, 'key');
    const keyAlgorithm = keyFile === undefined ? keyAlgorithmOption(values) : undefined;
    const name = fileNameOption(values, subject.commonName);
    const key = keyAlgorithm
      ? await out.step(`generating a ${keyAlgorithm} key`, () => newDeviceKey(keyAlgorithm))
      : await existingDeviceKey(readInputFile('key', keyFile!), keyFile!);
    const csrPem = await createCsrPem(key, subject);
    const files: OutputFile[] = [{ name: `${name}.csr.pem`, content: csrPem, secret: false }];
    if (keyAlgorithm) files.push({ name: `${name}.key.pem`, content: key.privateKeyPem, secret: true });
    const [csrFile, newKeyFile] = writeOutputFiles(stringOption(values, 'out-dir') ?? '.', files, values.force === true);
    const privateKeyFile = newKeyFile ?? keyFile!;
    out.result({ csrFile, privateKeyFile, keyAlgorithm: key.description, subject }, [
      `CSR for ${subject.commonName ?? JSON.stringify(subject)} (${key.description})`,
      `  request:     ${csrFile}`,
      `  private key: ${privateKeyFile}${newKeyFile ? ' (mode 0600; it never needs to leave this machine)' : ''}`,
      `next: cdk-iot-security-cli device cert --csr ${csrFile} --ca-cert CA.cert.pem --ca-key CA.key.pem`,
      '      or, through a JITP stack: cdk-iot-security-cli device cert --csr FILE --api API_URL --ca-certificate-id ID',
    ]);
    return 0;
  },
};

