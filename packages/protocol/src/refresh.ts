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
