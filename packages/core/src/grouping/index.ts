/**
 * Grouping lives in `@paramscope/params` (re-exported by core's index); this path stays for
 * core's tests that import grouping from here. Importing it registers core's model sources
 * (nn modules, TF.js LayersModels), as importing `@paramscope/core` does.
 */
import '../params/source';
export * from '@paramscope/params';
