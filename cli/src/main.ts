/**
 * cdk-iot-security-cli: `<group> <action> [options]`. Results go to stdout (or one JSON document
 * with --json), progress and errors to stderr, and the exit code says what happened (exit-codes.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_USAGE, COMMON_USAGE, parseOptions, type Command } from './command';
import { caCreate } from './commands/ca-create';
import { caList } from './commands/ca-list';
import { caRegister } from './commands/ca-register';
import { deviceCert } from './commands/device-cert';
import { deviceConnect } from './commands/device-connect';
import { deviceCsr } from './commands/device-csr';
import { localUp } from './commands/local-up';
import { CliError, EXIT } from './exit-codes';
import { Output } from './output';

export const COMMANDS: readonly Command[] = [caCreate, caRegister, caList, deviceCsr, deviceCert, deviceConnect, localUp];

const EXIT_CODE_HELP = [
  'exit codes: 0 done; 1 failed otherwise (a bug, or an AWS server fault: try again); 2 bad command line;',
  '  3 a file is missing, wrong, or would be overwritten; 4 AWS not reachable as configured (Region, credentials, endpoint);',
  '  5 AWS IoT, AWS KMS or the stack API refused the request; 6 the device did not get in; 130 interrupted',
].join('\n');

export function overview(): string {
  return [
    'usage: cdk-iot-security-cli <command> [options]   (cdk-iot-security-cli <command> --help for its options)',
    '',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(15)} ${command.summary}`),
    '',
    'AWS settings come from where every AWS tool looks (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_IOT, ~/.aws),',
    'or --region, --profile, --endpoint-url.',
    EXIT_CODE_HELP,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [`usage: cdk-iot-security-cli ${command.name} [options]`, `  ${command.summary}`, '', command.usage,
    ...(command.usesAws ? [AWS_USAGE] : []), COMMON_USAGE, '', EXIT_CODE_HELP].join('\n');
}

function version(): string {
  try {
    // dist/main.js and src/main.ts both sit one level below the package's package.json.
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Runs one command line and answers its exit code; never throws and never exits the process itself. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const wantsJson = argv.includes('--json');
  const bootstrapOut = new Output({ json: wantsJson, quiet: argv.includes('--quiet') || argv.includes('-q') });
  const [group, action, ...rest] = argv;
  if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
    process.stdout.write(`${overview()}\n`);
    return group === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (group === '--version' || group === '-v') {
    process.stdout.write(`${version()}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === `${group} ${action}`);
  if (!command) {
    const known = COMMANDS.filter((candidate) => candidate.name.startsWith(`${group} `)).map((candidate) => candidate.name);
    bootstrapOut.error(`unknown command "${[group, action].filter(Boolean).join(' ')}"`,
      known.length > 0 ? `${group} takes: ${known.map((name) => name.split(' ')[1]).join(', ')}` : 'cdk-iot-security-cli --help lists the commands');
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return EXIT.OK;
  }
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  try {
    const values = parseOptions(command, rest);
    const out = new Output({ json: values.json === true, quiet: values.quiet === true });
    return await command.run({ values, out, env, signal: interrupt.signal });
  } catch (error) {
    if (error instanceof CliError) {
      bootstrapOut.error(error.message, error.hint);
      if (wantsJson) process.stdout.write(`${JSON.stringify({ error: { message: error.message, hint: error.hint, exitCode: error.exitCode } })}\n`);
      return error.exitCode;
    }
    bootstrapOut.error(`unexpected failure: ${error instanceof Error ? error.stack ?? error.message : String(error)}`,
      'this is a bug in cdk-iot-security-cli: please report it with the command line (no keys)');
    return EXIT.FAILURE;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
