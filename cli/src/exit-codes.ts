/**
 * What the CLI's exit status means, so scripts can tell "fix your command" from "AWS said no"
 * from "the device never got in". Listed in `--help` and the README.
 */
export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** Something failed that the other codes do not cover (a bug, or an AWS server fault: try again). */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, a missing or malformed value. */
  USAGE: 2,
  /** A file: missing, unreadable, not what it should be, or an output that would overwrite one. */
  FILE: 3,
  /** AWS is not reachable as configured: no Region, no credentials, an endpoint that does not answer. */
  AWS_CONFIG: 4,
  /** AWS IoT, AWS KMS or the stack's API refused the request (a 4xx): permissions, conflicts, bad input, a key that cannot sign. */
  REFUSED: 5,
  /** The device did not get in: every connection attempt failed, or its message was not acknowledged. */
  DEVICE: 6,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the user can act on: the message says what happened, `hint` what to do about it. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: ExitCode, readonly hint?: string) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT.USAGE, hint);
}

export function fileError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT.FILE, hint);
}
