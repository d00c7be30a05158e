/**
 * MIME types exchanged between the kernel (`@paramscope/notebook`) and JupyterLab
 * (`@paramscope/jupyterlab`). The version is part of the type so that an old extension never
 * tries to read a snapshot shape it does not know.
 */

/** A paramscope snapshot: optimizers and groupings with their groups, members and findings. */
export const SNAPSHOT_MIME_TYPE = 'application/vnd.paramscope.snapshot.v1+json';

/** A Plotly figure (`{data, layout, config?}`), the MIME type plotly.py and nteract use. */
export const PLOTLY_MIME_TYPE = 'application/vnd.plotly.v1+json';
