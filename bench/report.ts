/** One figure of the run, printed as a table row and as a JSON line. */
export interface Figure {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** What the figure is, for the table. */
  readonly label: string;
  /** A target, if the figure has one: met when value >= minimum and <= maximum (either may be absent). */
  readonly target?: { readonly minimum?: number; readonly maximum?: number; readonly description: string };
}

export function printTable(title: string, figures: readonly Figure[], notes: readonly string[]): void {
  const rows = figures.map(figure => [
    figure.label,
    formatValue(figure.value),
    figure.unit,
    figure.target ? `${meetsTarget(figure) ? 'PASS' : 'FAIL'} (${figure.target.description})` : '',
  ]);
  const header = ['figure', 'value', 'unit', 'target'];
  const widths = header.map((heading, column) => Math.max(heading.length, ...rows.map(row => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 1 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(line(widths.map(width => '-'.repeat(width))));
  rows.forEach(row => console.log(line(row)));
  notes.forEach(note => console.log(`note: ${note}`));
  console.log('');
}

/** One JSON line per figure, for whoever collects the numbers. */
export function printJsonLines(figures: readonly Figure[]): void {
  for (const { metric, value, unit } of figures) {
    console.log(JSON.stringify({ metric, value: Number(value.toFixed(value >= 100 ? 1 : 3)), unit }));
  }
}

function formatValue(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function meetsTarget({ value, target }: Figure): boolean {
  if (!target) return true;
  return (target.minimum === undefined || value >= target.minimum) && (target.maximum === undefined || value <= target.maximum);
}
