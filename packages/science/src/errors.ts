/**
 * The error type of `@paramscope/science`: everything it throws for bad input is a
 * {@link ScienceError}, so a caller catches one class.
 */

/**
 * Thrown by `@paramscope/science` for bad input from a caller: an analysis argument out of range
 * (a negative learning rate, too few samples, shapes that differ), an experiment configuration or
 * grid it cannot run, a dataset file with a bad field. The message names the argument, field or
 * value at fault. (Errors from the `@paramscope/core` calls it makes stay core's.)
 */
export class ScienceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ScienceError';
  }
}
