/**
 * Splits what a function instance writes to one stream into lines, and spots the marker the
 * worker writes when an invocation ends, so each invocation gets exactly its own lines.
 */
export class LogLineSplitter {
  private pending = '';

  constructor(
    private readonly endMarker: string,
    private readonly onLine: (line: string) => void,
    /** Called with the request id that follows the marker. */
    private readonly onEndMarker: (requestId: string) => void,
  ) {}

  push(chunk: string): void {
    this.pending += chunk;
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      this.take(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
  }

  /** Emits a last line that has no newline (the stream ended, or the instance died). */
  flush(): void {
    if (this.pending.length > 0) {
      this.take(this.pending);
      this.pending = '';
    }
  }

  private take(line: string): void {
    const marker = line.indexOf(this.endMarker);
    if (marker < 0) {
      this.onLine(stripCarriageReturn(line));
      return;
    }
    // Output without a final newline ends up just before the marker: it is still a line of its own.
    if (marker > 0) {
      this.onLine(stripCarriageReturn(line.slice(0, marker)));
    }
    this.onEndMarker(line.slice(marker + this.endMarker.length));
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
