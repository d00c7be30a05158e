/**
 * A progress line for notebook loops that run longer than a few seconds: one output updated in
 * place (Jupyter display_id), throttled so a fast loop does not flood the kernel's IOPub channel.
 */
import { UpdatableDisplay } from './display';
import { describeValue } from '@paramscope/protocol';
import { NotebookError } from './errors';

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Least time between two displayed updates, in ms (default 250). The final update always shows. */
  minIntervalMs?: number;
  /** Clock in ms (tests replace it). */
  now?: () => number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/**
 * Shows "label: done/total (percent) elapsed — detail" with a bar, updated in place.
 *
 * @example
 * const progress = new Progress('training', steps);
 * for (let t = 1; t <= steps; t++) { step(); progress.update(t, `loss ${loss.toFixed(3)}`); }
 */
export class Progress {
  private readonly display = new UpdatableDisplay();
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly started: number;
  private lastShown = Number.NEGATIVE_INFINITY;

  constructor(
    readonly label: string,
    readonly total: number,
    options: ProgressOptions = {}
  ) {
    if (!Number.isInteger(total) || total < 1)
      throw new NotebookError(`Progress "${label}": total must be a positive integer, got ${describeValue(total)}`);
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.now = options.now ?? (() => Date.now());
    this.started = this.now();
  }

  /** Records that `done` of `total` items are finished; shows it unless the last update was too recent. */
  update(done: number, detail = ''): void {
    if (!Number.isFinite(done) || done < 0 || done > this.total) {
      throw new NotebookError(
        `Progress "${this.label}": done must be between 0 and ${this.total}, got ${describeValue(done)}`
      );
    }
    const time = this.now();
    if (done < this.total && time - this.lastShown < this.minIntervalMs) return;
    this.lastShown = time;
    const fraction = done / this.total;
    const seconds = ((time - this.started) / 1000).toFixed(1);
    const percent = Math.round(fraction * 100);
    const text = `${this.label}: ${done}/${this.total} (${percent}%) ${seconds} s${detail ? ` — ${detail}` : ''}`;
    const bar = `<progress value="${done}" max="${this.total}" style="width:12em;vertical-align:middle"></progress>`;
    this.display.show({
      'text/plain': text,
      'text/html': `<div>${bar} <code>${escapeHtml(text)}</code></div>`
    });
  }
}
