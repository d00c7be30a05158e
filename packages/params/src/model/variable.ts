/**
 * What the parameter model needs of a tensor variable, without a tensor library. A package that
 * reads models of a tensor library registers that library's variable type by augmenting
 * {@link VariableTypes}; `@paramscope/core` does so with TF.js's `tf.Variable`, so that
 * `ParamInfo.variable` is a `tf.Variable` wherever core is imported.
 */

/** The structural minimum of a tensor variable (TF.js's `tf.Variable` has it). */
export interface VariableLike {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly trainable: boolean;
}

/**
 * Registry of variable types, empty here. Augment it to make `ParamInfo.variable` that type:
 *
 * ```ts
 * declare module '@paramscope/params' {
 *   interface VariableTypes { tfjs: tf.Variable }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface VariableTypes {}

/** The type of `ParamInfo.variable`: the registered variable type, else {@link VariableLike}. */
export type ParamVariable = keyof VariableTypes extends never ? VariableLike : VariableTypes[keyof VariableTypes];

/**
 * Whether `value` is a tensor variable (has a name, a shape, a dtype and a trainable flag), as
 * opposed to a `{ name, variable }` pair or a `ParamInfo`.
 */
export function isVariableLike(value: unknown): value is ParamVariable {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<VariableLike>;
  return (
    typeof v.name === 'string' &&
    Array.isArray(v.shape) &&
    typeof v.dtype === 'string' &&
    typeof v.trainable === 'boolean'
  );
}
