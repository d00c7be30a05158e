/**
 * The decay-group ablation in a notebook: data and results files and provenance (Node-only),
 * figures, tables, conclusions.
 */
export * from './files';
export * from './provenance';
export * from './figures';
export * from './conclusions';
