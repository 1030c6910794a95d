/**
 * Where the CLI writes: results to stdout (human lines, or one JSON document with `--json`),
 * progress and errors to stderr, so `--json` output can be piped into jq untouched.
 */
export interface OutputOptions {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Anything slower than this shows progress. */
const PROGRESS_AFTER_MS = 1000;

export class Output {
  private readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };

  constructor(readonly options: OutputOptions) {
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
  }

  /** One line of progress (stderr); silent with --quiet. */
  progress(line: string): void {
    if (!this.options.quiet) this.stderr.write(`${line}\n`);
  }

  /** A warning the user should read even with --quiet (stderr). */
  warn(line: string): void {
    this.stderr.write(`warning: ${line}\n`);
  }

  /** The command's result: `json` with --json, else `lines`. */
  result(json: unknown, lines: readonly string[]): void {
    if (this.options.json) this.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    else for (const line of lines) this.stdout.write(`${line}\n`);
  }

  /** An error (stderr), with what to do about it when known. */
  error(message: string, hint?: string): void {
    this.stderr.write(`error: ${message}\n`);
    if (hint) this.stderr.write(`  ${hint}\n`);
  }

  /**
   * Runs `work` and, when it takes longer than a second, says what it is waiting for: on a
   * terminal a line that counts the seconds, elsewhere one line when it starts to show and one when it ends.
   */
  async step<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (this.options.quiet) return work();
    const started = Date.now();
    const tty = this.stderr.isTTY === true;
    let shown = false;
    const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
    const show = () => {
      if (tty) this.stderr.write(`\r${label}... ${seconds()} s`);
      else if (!shown) this.stderr.write(`${label}...\n`);
      shown = true;
    };
    const first = setTimeout(() => {
      show();
      if (tty) ticker = setInterval(show, 1000);
    }, PROGRESS_AFTER_MS);
    let ticker: NodeJS.Timeout | undefined;
    const finish = (outcome: string) => {
      clearTimeout(first);
      if (ticker) clearInterval(ticker);
      if (shown) this.stderr.write(tty ? `\r${label}: ${outcome} in ${seconds()} s\n` : `${label}: ${outcome} in ${seconds()} s\n`);
    };
    try {
      const value = await work();
      finish('done');
      return value;
    } catch (error) {
      finish('failed');
      throw error;
    }
  }
}
