/**
 * What a benchmark reports: rows of figures, each with its target where SPEC.md's performance
 * targets name one (a rate target as a share of the calibration), and the one JSON line that ends
 * its output. `pnpm bench` reads that line from each benchmark (the schema below) and puts every
 * row into one table.
 */
import { type Static, Type } from 'typebox'
import { Check, Errors } from 'typebox/value'

export const Target = Type.Object({
  op: Type.Union([Type.Literal('<'), Type.Literal('>='), Type.Literal('=')]),
  value: Type.Number(),
})
export type Target = Static<typeof Target>

export const Row = Type.Object({
  /** What was measured, under which load. */
  figure: Type.String(),
  value: Type.Number(),
  /** '' for a count or a ratio. */
  unit: Type.String(),
  /** The absolute figures behind a ratio, the load, the counts behind a verdict. */
  detail: Type.Optional(Type.String()),
  target: Type.Optional(Target),
  /** Set where there is a target. */
  pass: Type.Optional(Type.Boolean()),
})
export type Row = Static<typeof Row>

/** A benchmark's last line; anything else it measured rides along beside `rows`. */
export const BenchReport = Type.Object({
  bench: Type.String(),
  rows: Type.Array(Row),
  /** Every row with a target passes. */
  pass: Type.Boolean(),
})
export type BenchReport = Static<typeof BenchReport>

/** The report in a benchmark's last stdout line, or why that line is not one. */
export function parseBenchReport(line: string): BenchReport | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return `its last line is not JSON: ${line.slice(0, 200)}`
  }
  if (Check(BenchReport, parsed)) return parsed
  const [first] = Errors(BenchReport, parsed)
  return `its last line is not a report: ${first ? `${first.instancePath} ${first.message}` : 'invalid'}`
}

const meets = (value: number, { op, value: bound }: Target) =>
  op === '<' ? value < bound : op === '>=' ? value >= bound : value === bound

/** A figure without a target (SPEC names none): shown, never judged. */
export const figure = (figure: string, value: number, unit: string, detail?: string): Row => ({
  figure,
  value,
  unit,
  ...(detail === undefined ? {} : { detail }),
})

/** A figure judged against its target. */
export const checked = (name: string, value: number, unit: string, target: Target, detail?: string): Row => ({
  ...figure(name, value, unit, detail),
  target,
  pass: meets(value, target),
})

export function benchReport<Extra extends object>(
  bench: string,
  rows: Row[],
  extra: Extra,
): BenchReport & Extra {
  return { bench, rows, pass: rows.every((row) => row.pass !== false), ...extra }
}

/** A number for the table: whole numbers grouped by thousands, others to 3 significant digits. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  return String(Number(value.toPrecision(3)))
}

const withUnit = (value: number, unit: string) =>
  unit === '' ? formatNumber(value) : `${formatNumber(value)} ${unit}`

/** One markdown table of rows (with the benchmark each belongs to), padded for a terminal. */
export function formatTable(rows: ReadonlyArray<Row & { bench: string }>): string {
  const header = ['benchmark', 'figure', 'measured', 'target', 'verdict', 'detail']
  const cells = rows.map((row) => [
    row.bench,
    row.figure,
    withUnit(row.value, row.unit),
    row.target ? `${row.target.op} ${withUnit(row.target.value, row.unit)}` : '',
    row.pass === undefined ? '' : row.pass ? 'pass' : 'FAIL',
    row.detail ?? '',
  ])
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)),
  )
  const line = (values: string[]) =>
    `| ${values.map((value, column) => value.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n')
}

/** Ends a benchmark's output: its rows as a table, then the report as the LAST line. */
export function printReport(report: BenchReport): void {
  console.log(formatTable(report.rows.map((row) => ({ ...row, bench: report.bench }))))
  console.log(JSON.stringify(report))
}
