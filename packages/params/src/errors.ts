/**
 * The error type of `@paramscope/params`: everything it throws for bad input is a
 * {@link ParamsError}, so a caller catches one class.
 */

/**
 * Thrown by `@paramscope/params` for bad input from a caller: a model source it cannot read, a
 * malformed structure file ({@link StructureFileError}), a bad grouping rule or hyperparameter,
 * parameter groups that fail strict verification ({@link ParamGroupsError}). The message names the
 * parameter, field or value at fault.
 */
export class ParamsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ParamsError';
  }
}
