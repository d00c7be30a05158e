/**
 * The error type of `@paramscope/notebook`: everything it throws is a {@link NotebookError}, so
 * a cell catches one class.
 */

/**
 * Thrown by `@paramscope/notebook` for bad input from a notebook cell (a derivation id, a table
 * row, figure data, what to inspect or watch), for a claim check whose measurement drifted, and
 * for a set-up it cannot work in (no tslab cell running, no TF.js backend that works, a missing
 * data file). The message names the argument, field or value at fault and, for a set-up problem,
 * what to run. (Errors from the `@paramscope/science` and `@paramscope/core` calls it makes stay
 * theirs.)
 */
export class NotebookError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotebookError';
  }
}
