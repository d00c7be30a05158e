import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  TSLAB_WRITTEN_FOR,
  installedTslabVersion,
  tslabJupyter,
  tslabProblem,
  tslabProblemMessage
} from './tslab-internals';

const manifest = (path: string): Record<string, Record<string, string>> => JSON.parse(readFileSync(path, 'utf8'));

describe('seam onto tslab internals', () => {
  it('finds the internals it was written for in the installed tslab', () => {
    const jupyter = tslabJupyter();
    expect(tslabProblem(jupyter)).toBeNull();
    const where = `tslab-internals with tslab ${installedTslabVersion()}`;
    expect(jupyter.lastWriteDisplayData, `${where}: a display writer outside a cell`).toBeNull();
  });

  it('is written for exactly the tslab the package.json files pin', () => {
    const root = manifest(join(__dirname, '..', '..', '..', 'package.json'));
    const notebook = manifest(join(__dirname, '..', 'package.json'));
    expect(root.devDependencies.tslab, 'the root package.json pins tslab').toBe(TSLAB_WRITTEN_FOR);
    expect(notebook.peerDependencies.tslab, '@paramscope/notebook pins its tslab peer').toBe(TSLAB_WRITTEN_FOR);
  });

  it('names itself and the installed version when tslab changed', () => {
    const changed = { JupyterHandlerImpl: class {}, lastWriteDisplayData: null };
    const problem = tslabProblem(changed);
    expect(problem).toMatch(/no `JupyterHandlerImpl.prototype.handleExecuteImpl`/);
    expect(tslabProblemMessage(problem!, '2.0.0')).toBe(
      '@paramscope/notebook tslab-internals: tslab/dist/jupyter has no ' +
        '`JupyterHandlerImpl.prototype.handleExecuteImpl` in tslab 2.0.0 ' +
        '(this seam was written for 1.0.22; pin that version or update the seam)'
    );
    expect(tslabProblem({ JupyterHandlerImpl: { prototype: { handleExecuteImpl: async () => undefined } } })).toMatch(
      /no `lastWriteDisplayData`/
    );
  });
});
