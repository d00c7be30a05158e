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
 * the DOM (and in the accessible name); the title shows it whole on hover.
 */
export function paramNameNode(name: string): HTMLSpanElement {
  const { head, tail } = splitName(name);
  return h('span', { className: 'jp-Paramscope-paramName', title: name }, [
    head ? h('span', { className: 'jp-Paramscope-nameHead', text: head }) : null,
    h('span', { className: 'jp-Paramscope-nameTail', text: tail })
  ]);
}
