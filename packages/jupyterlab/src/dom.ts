/**
 * A small DOM builder. Every string goes in through `textContent` or an attribute value, never
 * through `innerHTML`: names from the kernel are data and must never become markup.
 */

/** What {@link h} sets on a new element. */
export interface ElementSpec {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

/** Creates an element with text, class, title and attributes, and appends `children`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  children: Array<Node | null | undefined> = []
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (spec.className) node.className = spec.className;
  if (spec.text !== undefined) node.textContent = spec.text;
  if (spec.title !== undefined) node.title = spec.title;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.appendChild(child);
  return node;
}
