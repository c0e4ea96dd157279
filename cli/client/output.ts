/**
 * How a command prints: aligned tables and `label   value` blocks for people (as `ibmcloud`
 * does), one JSON document with `--output json` for scripts, and with `-q` none of the progress
 * lines ("Creating … as …", "OK") around the result.
 */
export type Cell = string | number | boolean | null | undefined;
export type Column<T> = [header: string, value: (row: T) => Cell];

const show = (cell: Cell): string => (cell === null || cell === undefined || cell === '' ? '-' : String(cell));

export class Output {
  constructor(
    readonly json: boolean,
    readonly quiet: boolean,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  private line(text: string): void {
    this.write(`${text}\n`);
  }

  /** A progress line: for people only, and not with -q. */
  progress(text: string): void {
    if (!this.json && !this.quiet) this.line(text);
  }

  ok(): void {
    this.progress('OK');
  }

  /** A message that is the result itself (e.g. "No service ID found"): for people, even with -q. */
  message(text: string): void {
    if (!this.json) this.line(text);
  }

  /** The result: `value` as JSON for scripts, else `human()`. */
  result(value: unknown, human: () => void): void {
    if (this.json) this.line(JSON.stringify(value, null, 2));
    else human();
  }

  table<T>(rows: readonly T[], columns: readonly Column<T>[]): void {
    const cells = [columns.map(([header]) => header), ...rows.map((row) => columns.map(([, value]) => show(value(row))))];
    const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
    for (const r of cells) this.line(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd());
  }

  /** A record as `Label   value` lines. */
  fields(pairs: readonly [label: string, value: Cell][]): void {
    const width = Math.max(...pairs.map(([label]) => label.length));
    for (const [label, value] of pairs) this.line(`${label.padEnd(width)}   ${show(value)}`);
  }

  /** Both a table and JSON, the common case of list commands. */
  list<T>(rows: readonly T[], columns: readonly Column<T>[], none: string): void {
    this.result(rows, () => (rows.length ? this.table(rows, columns) : this.message(none)));
  }
}
