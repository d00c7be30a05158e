/**
 * Renders `application/vnd.paramscope.snapshot.v1+json` outputs inline: the compact view, or the
 * reason a snapshot cannot be read.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { formatIssues, SNAPSHOT_MIME_TYPE, validateSnapshot } from '@paramscope/protocol';
import { h } from './dom';
import { snapshotSummary } from './snapshot-table';

/** The widget JupyterLab creates for each snapshot output. */
export class SnapshotRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly options: IRenderMime.IRendererOptions) {
    super();
    this.addClass('jp-ParamscopeSnapshot');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const result = validateSnapshot(model.data[this.options.mimeType]);
    this.node.replaceChildren();
    if (!result.ok) {
      this.addClass('jp-ParamscopeSnapshot-error');
      this.node.appendChild(
        h('div', { className: 'jp-Paramscope-error' }, [
          h('strong', { text: 'paramscope cannot read this snapshot:' }),
          h('pre', { text: formatIssues(result.issues) })
        ])
      );
      return;
    }
    this.removeClass('jp-ParamscopeSnapshot-error');
    this.node.appendChild(snapshotSummary(result.snapshot));
  }
}

/** The renderer factory registered with JupyterLab's rendermime registry. */
export const snapshotRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [SNAPSHOT_MIME_TYPE],
  defaultRank: 50,
  createRenderer: (options) => new SnapshotRenderer(options)
};
