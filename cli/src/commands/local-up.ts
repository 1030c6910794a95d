import { runLocalCloud } from '../../../local/cli';
import { type Command } from '../command';

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
    for (const name of ['control-plane-port', 'mqtt-port', 'state-dir'] as const) {
      if (typeof values[name] === 'string') argv.push(`--${name}`, values[name] as string);
    }
    for (const assembly of (values['cloud-assembly'] ?? []) as string[]) argv.push('--cloud-assembly', assembly);
    if (values['no-rate-limits'] === true) argv.push('--no-rate-limits');
    if (values.quiet === true) argv.push('--quiet');
    out.progress('starting the local cloud (Ctrl-C stops it)');
    await runLocalCloud(argv);
    // It runs until a signal ends the process (runLocalCloud closes it and exits).
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return 0;
  },
};
