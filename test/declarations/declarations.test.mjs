// The kernel packages' declaration files must type-check with TypeScript 5.0 (the compiler
// tslab 1.0.22 ships): a notebook that imports them compiles them with that version.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const ts = require('typescript-5.0');
const root = resolve(import.meta.dirname, '../..');
const kernelPackages = ['protocol', 'params', 'core', 'science', 'notebook'];

function declarations(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return declarations(path);
    return name.endsWith('.d.ts') ? [path] : [];
  });
}

test('the checker is TypeScript 5.0, as in tslab', () => {
  assert.match(ts.version, /^5\.0\./);
});

for (const pkg of kernelPackages) {
  test(`@paramscope/${pkg} declarations compile with TypeScript ${ts.version}`, () => {
    const files = declarations(join(root, 'packages', pkg, 'lib'));
    assert.ok(files.length > 0, `packages/${pkg}/lib has no .d.ts files: build first`);
    const program = ts.createProgram(files, {
      noEmit: true,
      strict: true,
      skipLibCheck: false,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.NodeJs,
      types: ['node']
    });
    const ours = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => !d.file || d.file.fileName.includes('/packages/'))
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    assert.deepEqual(ours, []);
  });
}
