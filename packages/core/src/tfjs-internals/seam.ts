/**
 * What every seam onto a private TF.js internal shares: the message that says an internal is no
 * longer what its seam was written for, naming the seam's module and the installed version, and a
 * warning printed once per seam when code falls back to a portable path because of it.
 *
 * A seam is the only module that reaches its internal; it checks the internal's shape before the
 * first use, and its test (next to it) fails with this message when an upgrade changes it.
 */

/** The versions the seams were written against; the package.json files pin exactly these. */
export const WRITTEN_FOR = { tfjs: '4.22.0', tfjsNode: '4.22.0' } as const;

/** Describes one seam for its messages. */
export interface SeamInfo {
  /** The seam's module, e.g. `tfjs-internals/cpu-backend`. */
  module: string;
  /** The package whose internal it reaches, e.g. `@tensorflow/tfjs-backend-cpu`. */
  dependency: string;
  /** The version the seam was written for. */
  writtenFor: string;
}

/**
 * The message for an internal that changed: the seam, what it found, the installed version and the
 * one it was written for.
 */
export function internalsMessage(seam: SeamInfo, problem: string, installed: string | undefined): string {
  const version = installed ?? 'of unknown version';
  return (
    `@paramscope/core ${seam.module}: ${problem} in ${seam.dependency} ${version} ` +
    `(this seam was written for ${seam.writtenFor}; pin that version or update the seam)`
  );
}

const warned = new Set<string>();

/** Prints a seam's problem once per process, saying which portable path is taken instead. */
export function warnFallback(seam: SeamInfo, problem: string, installed: string | undefined, fallback: string): void {
  if (warned.has(seam.module)) return;
  warned.add(seam.module);
  console.warn(`${internalsMessage(seam, problem, installed)}; ${fallback}`);
}

/** `typeof value[key] === 'function'` for an unknown value. */
export function hasMethod(value: unknown, key: string): boolean {
  return typeof (value as Record<string, unknown> | null)?.[key] === 'function';
}

/** Whether `value[key]` is a Map-like object with `has` and `get`. */
export function hasMapLike(value: unknown, key: string): boolean {
  const field = (value as Record<string, unknown> | null)?.[key];
  return hasMethod(field, 'has') && hasMethod(field, 'get');
}
