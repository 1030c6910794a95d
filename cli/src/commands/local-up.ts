import { runLocalCloud } from '../../../local/cli';
import { integerOption, type Command } from '../command';
import { CliError, EXIT } from '../exit-codes';

/** `local up`: the local cloud, exactly as `npm run local` starts it, until Ctrl-C. */
export const localUp: Command = {
  name: 'local up',
  summary: 'start the local cloud (AWS IoT control plane, MQTT over mutual TLS, and synthesized stacks) until Ctrl-C',
  usage: [
    '  --control-plane-port N (default 0: a free port)   --mqtt-port N (default 0)   --state-dir DIR (default .local)',
    '  --cloud-assembly DIR   a synthesized cdk.out whose stacks run on it (repeatable)   --no-rate-limits',
    '  prints the control-plane URL (use it as AWS_ENDPOINT_URL_IOT), the MQTT endpoint, the server CA to trust,',
    '  and for each stack its outputs with local URLs and the credentials to sign with',
  ].join('\n'),
  options: {
    'control-plane-port': { type: 'string' },
    'mqtt-port': { type: 'string' },
    'state-dir': { type: 'string' },
    'cloud-assembly': { type: 'string', multiple: true },
    'no-rate-limits': { type: 'boolean', default: false },
  },
  usesAws: false,
  async run({ values, out, signal }) {
    const argv: string[] = [];
    // Checked here, so a bad port is a usage error (exit 2) naming the option, not an unexpected failure.
    for (const name of ['control-plane-port', 'mqtt-port'] as const) {
      if (values[name] !== undefined) argv.push(`--${name}`, String(integerOption(values, name, 0, 0, 65535)));
    }
    if (typeof values['state-dir'] === 'string') argv.push('--state-dir', values['state-dir']);
    for (const assembly of (values['cloud-assembly'] ?? []) as string[]) argv.push('--cloud-assembly', assembly);
    if (values['no-rate-limits'] === true) argv.push('--no-rate-limits');
    if (values.quiet === true) argv.push('--quiet');
    out.progress('starting the local cloud (Ctrl-C stops it)');
    try {
      await runLocalCloud(argv);
    } catch (error) {
      // A port taken, a state directory that cannot be written, a cloud assembly that does not load: not a bug.
      const message = error instanceof Error ? error.message : String(error);
      throw new CliError(`local up: ${message}`, EXIT.FAILURE,
        /EADDRINUSE/.test(message) ? 'the port is taken: choose another one, or 0 for a free one' : undefined);
    }
    // It runs until a signal ends the process (runLocalCloud closes it and exits).
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return 0;
  },
};
