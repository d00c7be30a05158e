/**
 * Asserting reproduced numbers in notebook cells: each check prints the derivation row it belongs
 * to (D1, D2, …), the measured and expected values, and throws an error naming the row when the
 * measurement drifts, so a drift fails the notebook run. `verdictTable` renders the verdicts.
 */
import { displayBundle } from './display';
import { describeValue } from '@paramscope/protocol';
import { NotebookError } from './errors';

/** The outcome of one check, as printed. */
export interface CheckResult {
  /** Derivation row, e.g. `D2`. */
  row: string;
  /** What was measured. */
  quantity: string;
  measured: number;
  /** The expected value, or the bound for `checkBelow`/`checkAbove`. */
  expected: number;
  /** The tolerance, in words (`rtol 1e-3`, `≤ bound`). */
  tolerance: string;
}

/**
 * Tolerances of {@link checkClose}: passes when |measured − expected| ≤ atol + rtol·|expected|.
 * Without either, rtol is 1e-6; with only atol, rtol is 0.
 */
export interface CloseTolerance {
  rtol?: number;
  atol?: number;
}

function format(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e5 ? String(Number(value.toPrecision(6))) : value.toExponential(4);
}

function formatTolerance(value: number): string {
  return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential() : String(value);
}

function requireRow(row: string): void {
  if (!/^D\d+$/.test(row))
    throw new NotebookError(`check: row must be a derivation id like "D2", got ${describeValue(row)}`);
}

function report(result: CheckResult, ok: boolean, comparison: string): CheckResult {
  const expected = `${format(result.expected)} (${result.tolerance})`;
  const line = `${result.row} ${result.quantity}: measured ${format(result.measured)} ${comparison} ${expected}`;
  if (!ok) throw new NotebookError(`${result.row} drifted: ${line}`);
  console.log(`✓ ${line}`);
  return result;
}

/** Asserts that `measured` is within tolerance of `expected`. */
export function checkClose(
  row: string,
  quantity: string,
  measured: number,
  expected: number,
  tolerance: CloseTolerance = {}
): CheckResult {
  requireRow(row);
  const { atol = 0, rtol = tolerance.atol === undefined ? 1e-6 : 0 } = tolerance;
  if (!(rtol >= 0) || !(atol >= 0))
    throw new NotebookError(`checkClose ${row}: rtol and atol must be non-negative, got rtol ${rtol}, atol ${atol}`);
  const ok = Number.isFinite(measured) && Math.abs(measured - expected) <= atol + rtol * Math.abs(expected);
  const words =
    [rtol > 0 ? `rtol ${formatTolerance(rtol)}` : '', atol > 0 ? `atol ${formatTolerance(atol)}` : '']
      .filter(Boolean)
      .join(', ') || 'exact';
  return report({ row, quantity, measured, expected, tolerance: words }, ok, 'vs expected');
}

/** Asserts `measured ≤ bound` (e.g. a relative error, a cosine that should vanish). */
export function checkBelow(row: string, quantity: string, measured: number, bound: number): CheckResult {
  requireRow(row);
  return report(
    { row, quantity, measured, expected: bound, tolerance: 'upper bound' },
    Number.isFinite(measured) && measured <= bound,
    '≤'
  );
}

/** Asserts `measured ≥ bound`. */
export function checkAbove(row: string, quantity: string, measured: number, bound: number): CheckResult {
  requireRow(row);
  return report(
    { row, quantity, measured, expected: bound, tolerance: 'lower bound' },
    Number.isFinite(measured) && measured >= bound,
    '≥'
  );
}

/** Whether the document's claim survived the measurement. */
export type ClaimStatus = 'holds' | 'holds with a caveat' | 'does not hold';

/** One row of a verdict table. */
export interface Verdict {
  row: string;
  /** The document's claim, quoted or summarised. */
  claim: string;
  status: ClaimStatus;
  /** The measured numbers, in words. */
  measured: string;
  /** The literature reference, where it disagrees with the document or explains the caveat. */
  reference?: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

const STATUS_COLOR: Record<ClaimStatus, string> = {
  holds: '#1a7f37',
  'holds with a caveat': '#9a6700',
  'does not hold': '#cf222e'
};

/** Renders verdicts as an HTML table (with a plain-text fallback) in the running cell. */
export function verdictTable(verdicts: readonly Verdict[]): void {
  if (verdicts.length === 0) throw new NotebookError('verdictTable: no verdicts to show');
  for (const verdict of verdicts) {
    requireRow(verdict.row);
    if (!(verdict.status in STATUS_COLOR))
      throw new NotebookError(`verdictTable ${verdict.row}: unknown status "${verdict.status}"`);
  }
  const cell = (text: string) => `<td style="text-align:left;vertical-align:top">${escapeHtml(text)}</td>`;
  const statusCell = (status: ClaimStatus) =>
    `<td style="text-align:left;vertical-align:top;color:${STATUS_COLOR[status]};font-weight:bold">${status}</td>`;
  const rows = verdicts.map(
    (v) => `<tr>${cell(v.row)}${cell(v.claim)}${statusCell(v.status)}${cell(v.measured)}${cell(v.reference ?? '')}</tr>`
  );
  const header = ['row', 'claim', 'verdict', 'measured', 'reference']
    .map((h) => `<th style="text-align:left">${h}</th>`)
    .join('');
  const text = verdicts
    .map((v) => `${v.row} — ${v.status}: ${v.claim} | ${v.measured}${v.reference ? ` | ${v.reference}` : ''}`)
    .join('\n');
  displayBundle({
    'text/html': `<table><thead><tr>${header}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
    'text/plain': text
  });
}
