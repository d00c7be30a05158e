// jsdom lacks a few browser APIs that Lumino touches at import time.
if (typeof globalThis.DragEvent === 'undefined') {
  class DragEvent extends MouseEvent {}
  (globalThis as { DragEvent?: unknown }).DragEvent = DragEvent;
}
