/** The decay-group ablation in a notebook: data and results files and provenance (Node-only), figures and tables. */
export * from './files';
export * from './provenance';
export * from './figures';
