/** The decay-group ablation in a notebook: data and results files (Node-only), figures and tables. */
export * from './files';
export * from './figures';
