/**
 * Parameter names that fit a narrow sidebar: the end of a name (`1.weight`) tells parameters of
 * one block apart, so the middle is what gets elided (`layer2.0.down…1.weight`).
 */
import { h } from './dom';

/** Splits `name` into a head that may be elided and a tail kept whole (its last one or two segments). */
export function splitName(name: string): { head: string; tail: string } {
  const segments = name.split('.');
  const keep = segments.length > 2 && segments.slice(-2).join('.').length <= 16 ? 2 : 1;
  if (segments.length <= keep) return { head: '', tail: name };
  const tail = segments.slice(-keep).join('.');
  return { head: name.slice(0, name.length - tail.length), tail };
}

/**
 * The name as two spans: CSS ellipsizes the head and keeps the tail, so the full text stays in
 * the DOM (`textContent` is the name); the title shows it whole on hover. The tail's length in
 * characters (`--jp-Paramscope-tail`) lets CSS cut the head at a whole character of the
 * monospace font, so no gap opens between the ellipsis and the tail.
 *
 * Screen readers get the name from CSS (`::before { content: attr(title) }`), the two spans
 * are hidden from them: Chromium puts a space between two flex items' texts ("layer1.0. conv1.weight").
 */
export function paramNameNode(name: string): HTMLSpanElement {
  const { head, tail } = splitName(name);
  const attrs = { style: `--jp-Paramscope-tail: ${[...tail].length}` };
  const hidden = { 'aria-hidden': 'true' };
  return h('span', { className: 'jp-Paramscope-paramName', title: name, attrs }, [
    head ? h('span', { className: 'jp-Paramscope-nameHead', text: head, attrs: hidden }) : null,
    h('span', { className: 'jp-Paramscope-nameTail', text: tail, attrs: hidden })
  ]);
}

/**
 * A name inside running text (a finding's message): whole, with a break opportunity (`<wbr>`)
 * after each `.` and `_`, so a narrow sidebar wraps it between segments, not mid-word. The
 * text content stays the exact name.
 */
export function breakableName(name: string): HTMLSpanElement {
  const node = h('span', { className: 'jp-Paramscope-msgName' });
  const parts = name.split(/(?<=[._])/);
  parts.forEach((part, i) => {
    node.appendChild(document.createTextNode(part));
    if (i < parts.length - 1) node.appendChild(document.createElement('wbr'));
  });
  return node;
}

/**
 * `message` as text with each of `names` in it made breakable ({@link breakableName}); the rest
 * wraps at spaces like any prose.
 */
export function messageWithNames(message: string, names: readonly string[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const sorted = [...new Set(names)].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
  let rest = message;
  while (rest.length > 0) {
    let at = -1;
    let found = '';
    for (const name of sorted) {
      const i = rest.indexOf(name);
      if (i >= 0 && (at < 0 || i < at)) [at, found] = [i, name];
    }
    if (at < 0) break;
    if (at > 0) fragment.appendChild(document.createTextNode(rest.slice(0, at)));
    fragment.appendChild(breakableName(found));
    rest = rest.slice(at + found.length);
  }
  if (rest) fragment.appendChild(document.createTextNode(rest));
  return fragment;
}
