/** Plain tables in a cell's output: HTML with a text fallback (columns separated by " | "). */
import { displayBundle } from './display';
import { NotebookError } from './errors';

/** A table cell: text or a number (shown as is). */
export type TableCell = string | number;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** Shows `rows` under `columns`, with an optional caption; every row must have one cell per column. */
export function showTable(columns: readonly string[], rows: readonly (readonly TableCell[])[], caption?: string): void {
  if (columns.length === 0) throw new NotebookError('showTable: no columns');
  rows.forEach((row, i) => {
    if (row.length !== columns.length)
      throw new NotebookError(
        `showTable: row ${i} has ${row.length} cells, expected ${columns.length} (${columns.join(', ')})`
      );
  });
  const cell = (tag: 'th' | 'td', value: TableCell) =>
    `<${tag} style="text-align:left">${escapeHtml(String(value))}</${tag}>`;
  const html =
    `<table>${caption ? `<caption style="text-align:left">${escapeHtml(caption)}</caption>` : ''}` +
    `<thead><tr>${columns.map((c) => cell('th', c)).join('')}</tr></thead>` +
    `<tbody>${rows.map((row) => `<tr>${row.map((v) => cell('td', v)).join('')}</tr>`).join('')}</tbody></table>`;
  const text = [caption, columns.join(' | '), ...rows.map((row) => row.join(' | '))]
    .filter((line) => line !== undefined)
    .join('\n');
  displayBundle({ 'text/html': html, 'text/plain': text });
}
