/** Types of cases.js, for packages/params/src/verify/conformance.test.ts. */

/** The TypeScript implementation the vectors are computed with (`@paramscope/params`' functions). */
export interface ConformanceApi {
  paramModelFromStructure: (...args: never[]) => unknown;
  groupParams: (...args: never[]) => unknown;
  verifyParamGroups: (...args: never[]) => unknown;
  groupsByRecipe: (...args: never[]) => unknown;
  detectron2Rules: (...args: never[]) => unknown;
  paramwiseCfgRules: (...args: never[]) => unknown;
  noWeightDecayRule: (...args: never[]) => unknown;
}

/** Where the vectors live, relative to the repository root. */
export declare const VECTORS_DIR: string;

/** Every vector, by file name. */
export declare function buildVectors(api: ConformanceApi, repoRoot: string): Record<string, unknown>;

/** A vector as committed. */
export declare function serializeVector(vector: unknown): string;
