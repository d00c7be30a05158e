/**
 * `@paramscope/params` has no tensor library: nothing in its dependency tree, its sources or its
 * emitted .js and .d.ts names `@tensorflow`, and loading it loads no TF.js module.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const pkgDir = resolve(__dirname, '..');

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, keep);
    return keep(name) ? [path] : [];
  });
}

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Every package `@paramscope/params` depends on at run time, transitively (workspace packages by
 * their package.json, others from node_modules).
 */
function dependencyTree(): string[] {
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    for (const name of Object.keys({ ...json.dependencies, ...json.peerDependencies, ...json.optionalDependencies })) {
      if (seen.has(name)) continue;
      seen.add(name);
      visit(join(root, 'node_modules', name));
    }
  };
  visit(pkgDir);
  return [...seen].sort();
}

describe('@paramscope/params has no TF.js', () => {
  it('depends on nothing from @tensorflow, directly or transitively', () => {
    const tree = dependencyTree();
    expect(tree).toContain('@paramscope/protocol');
    expect(tree.filter((name) => name.startsWith('@tensorflow'))).toEqual([]);
  });

  it('names @tensorflow in no emitted .js or .d.ts file, and in no source outside tests', () => {
    const emitted = files(join(pkgDir, 'lib'), (name) => name.endsWith('.js') || name.endsWith('.d.ts'));
    expect(emitted.length, 'packages/params/lib is empty: build first').toBeGreaterThan(10);
    const sources = files(join(pkgDir, 'src'), (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    const offenders = [...emitted, ...sources, join(pkgDir, 'bin/paramscope.js')].filter((file) =>
      readFileSync(file, 'utf8').includes('@tensorflow')
    );
    expect(offenders).toEqual([]);
  });

  it('loads no @tensorflow module at run time, and reads a structure file', () => {
    const structureFile = join(root, 'packages/core/fixtures/structures/resnet18.json');
    const script = `
      const params = require(${JSON.stringify(join(pkgDir, 'lib/index.js'))});
      const fs = require('node:fs');
      const model = params.paramModelFromStructure(fs.readFileSync(${JSON.stringify(structureFile)}, 'utf8'));
      const report = params.verifyParamGroups(model, params.groupParams(model).groups);
      const loaded = Object.keys(require.cache).filter((f) => f.includes('@tensorflow'));
      console.log(JSON.stringify({ verdict: report.verdict, loaded, sources: params.registeredModelSources() }));`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ verdict: 'ok', loaded: [], sources: [] });
  });
});
