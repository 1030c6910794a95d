import { parseDeviceArgs, UsageError, USAGE, wantsHelp } from './device-args';
import { describeError } from '../../cli/src/device/describe-error';
import { Connector, runDevice } from '../../cli/src/device/device-flow';
import { RetriesExhaustedError } from '../../cli/src/device/retry';

/** Where a device script writes: progress to `info`, failures to `error`. */
export interface DeviceOutput {
  info(line: string): void;
  error(line: string): void;
}

export const CONSOLE_OUTPUT: DeviceOutput = {
  info: (line) => console.log(line),
  error: (line) => console.error(line),
};

/**
 * A device script's main: returns its exit code instead of exiting, so tests can call it in-process.
 * 0 after the message was published; 1 when connecting or publishing failed; 2 for bad arguments.
 */
export async function deviceMain(argv: readonly string[], connect: Connector, out: DeviceOutput = CONSOLE_OUTPUT): Promise<number> {
  if (wantsHelp(argv)) {
    out.info(USAGE);
    return 0;
  }
  try {
    await runDevice(parseDeviceArgs(argv), connect, (line) => out.info(line));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(`error: ${err.message} (see --help)`);
      return 2;
    }
    const hint = err instanceof RetriesExhaustedError
      ? ' (has the activator made the certificate ACTIVE? is --ca-chain the CA registered with auto-registration?)'
      : '';
    out.error(`error: ${describeError(err)}${hint}`);
    return 1;
  }
}

/** The `require.main === module` entry: runs `main` and exits with its code. */
export function runAsScript(main: (argv: readonly string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`error: ${describeError(err)}`);
      process.exit(1);
    },
  );
}
