/**
 * The one request the inspector panel may send to a kernel: "publish a fresh snapshot now". tslab
 * answers no comm messages, so the panel executes this short TypeScript statement instead (which
 * does bump the kernel's execution count, hence only on the user's request).
 */

/** Key of the `Symbol.for` global under which `@paramscope/notebook` keeps its inspector registry. */
export const INSPECTOR_REGISTRY_KEY = 'paramscope.inspector.registry';

/** Printed by {@link REFRESH_CODE} when the kernel has not loaded `@paramscope/notebook`. */
export const NOT_LOADED_MARKER = '[paramscope] inspector not loaded in this kernel';

/** What the registry must offer to {@link REFRESH_CODE}. */
export interface InspectorRegistryHandle {
  /** Publishes a snapshot of everything registered, as display data of the running request. */
  publishSnapshot(): void;
}

/**
 * The statement the panel executes to ask for a snapshot. A block statement, so tslab prints no
 * value; it never loads paramscope by itself (that would hide "not loaded" from the user).
 */
export const REFRESH_CODE =
  `{ const registry = (globalThis as any)[Symbol.for(${JSON.stringify(INSPECTOR_REGISTRY_KEY)})]; ` +
  `if (registry) registry.publishSnapshot(); else console.log(${JSON.stringify(NOT_LOADED_MARKER)}); }`;

/** The module a Python kernel loads with `import paramscope` that answers the panel's refresh. */
export const PYTHON_INSPECTOR_MODULE = 'paramscope.inspector';

/**
 * {@link REFRESH_CODE} for a Python kernel (ipykernel): one expression that publishes a snapshot
 * if `paramscope` is imported, and prints {@link NOT_LOADED_MARKER} otherwise. It defines no name
 * in the user's namespace and imports nothing but `sys`; the panel sends it silent and without
 * history, which ipykernel honours (no execution count, no input echoed).
 */
export const PYTHON_REFRESH_CODE =
  `(lambda m: print(${JSON.stringify(NOT_LOADED_MARKER)}) if m is None else m.publish_snapshot())` +
  `(__import__("sys").modules.get(${JSON.stringify(PYTHON_INSPECTOR_MODULE)}))`;

/** Kernel languages the panel can ask for a snapshot (`language_info.name` of the kernel). */
export type RefreshLanguage = 'python' | 'typescript';

/** The refresh statement for a kernel language: Python's for `python`, tslab's otherwise. */
export function refreshCodeFor(language: string | undefined): string {
  return language?.toLowerCase() === 'python' ? PYTHON_REFRESH_CODE : REFRESH_CODE;
}
