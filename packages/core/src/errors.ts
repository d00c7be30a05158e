/**
 * The error type of `@paramscope/core`: everything core's own code throws for bad input is a
 * {@link CoreError}, so a caller catches one class. (What core re-exports from
 * `@paramscope/params` throws that package's `ParamsError`.)
 */

/**
 * Thrown by `@paramscope/core` for bad input from a caller: a module constructor argument or
 * option it does not take, an input of the wrong shape, an optimizer or scheduler argument
 * ({@link OptimizerError}). The message names the argument, field or value at fault.
 */
export class CoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CoreError';
  }
}
