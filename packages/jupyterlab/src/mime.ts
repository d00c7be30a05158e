/**
 * The mime-renderer extension: JupyterLab loads it for outputs and for files it renders.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { PLOTLY_MIME_TYPE, SNAPSHOT_MIME_TYPE } from '@paramscope/protocol';
import { plotlyRendererFactory } from './plotly-renderer';
import { snapshotRendererFactory } from './snapshot-renderer';

const extensions: IRenderMime.IExtension[] = [
  {
    id: '@paramscope/jupyterlab:plotly',
    description: 'Renders Plotly figures (application/vnd.plotly.v1+json) with plotly.js.',
    rendererFactory: plotlyRendererFactory,
    rank: 50,
    dataType: 'json',
    documentWidgetFactoryOptions: []
  },
  {
    id: '@paramscope/jupyterlab:snapshot',
    description: 'Renders paramscope snapshots (parameter groups and findings) inline.',
    rendererFactory: snapshotRendererFactory,
    rank: 50,
    dataType: 'json',
    documentWidgetFactoryOptions: []
  }
];

export { PLOTLY_MIME_TYPE, SNAPSHOT_MIME_TYPE };
export default extensions;
