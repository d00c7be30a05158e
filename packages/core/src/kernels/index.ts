export * from './conv-filter-gradient';
