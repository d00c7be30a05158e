// The TypeScript packages form one chain, and imports only go down it:
//
//   @paramscope/protocol ← @paramscope/params ← @paramscope/core ← @paramscope/science ← @paramscope/notebook
//   (core and science also import @paramscope/protocol directly, for describeValue)
//   @paramscope/protocol (and @paramscope/params) ← @paramscope/jupyterlab
//
// Checked from each package.json (its @paramscope dependencies) and from the import statements of
// its sources and tests (every @paramscope import is a declared dependency below it; no relative
// import reaches into another package's src/ or lib/). No TF.js under params, protocol, jupyterlab.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const ts = createRequire(import.meta.url)('typescript');

const root = resolve(import.meta.dirname, '../..');

/** What each package may depend on (directly): the packages below it. */
const ALLOWED = {
  protocol: [],
  params: ['protocol'],
  core: ['protocol', 'params'],
  science: ['protocol', 'core'],
  notebook: ['protocol', 'params', 'core', 'science'],
  jupyterlab: ['protocol', 'params']
};
/** The dependencies the chain needs (a package that stopped depending on its layer below is a change to review). */
const REQUIRED = { params: ['protocol'], core: ['params'], science: ['core'], notebook: ['science'] };
const NO_TFJS = ['protocol', 'params', 'jupyterlab'];

function packageJson(pkg) {
  return JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
}

function declared(pkg, { dev = true } = {}) {
  const json = packageJson(pkg);
  return Object.keys({
    ...json.dependencies,
    ...json.peerDependencies,
    ...json.optionalDependencies,
    ...(dev ? json.devDependencies : {})
  });
}

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'lib' ? [] : sources(path);
    return /\.(ts|tsx|mjs|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * The module specifiers a file imports (import, export … from, require, import()), by TypeScript's
 * scanner: not those in comments or strings.
 */
function importsOf(file) {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

test('the workspaces are exactly the packages of the chain (and the Python package)', () => {
  const dirs = readdirSync(join(root, 'packages')).filter((d) => statSync(join(root, 'packages', d)).isDirectory());
  assert.deepEqual(dirs.filter((d) => d !== 'python').sort(), Object.keys(ALLOWED).sort());
  const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
  assert.deepEqual(
    [...workspaces].sort(),
    Object.keys(ALLOWED)
      .map((p) => `packages/${p}`)
      .sort()
  );
});

for (const [pkg, allowed] of Object.entries(ALLOWED)) {
  const allowedNames = allowed.length ? allowed.map((p) => `@paramscope/${p}`).join(', ') : 'no @paramscope package';
  test(`@paramscope/${pkg} depends only on ${allowedNames}`, () => {
    assert.equal(packageJson(pkg).name, `@paramscope/${pkg}`);
    const ours = declared(pkg)
      .filter((d) => d.startsWith('@paramscope/'))
      .map((d) => d.slice('@paramscope/'.length));
    assert.deepEqual(
      ours.filter((d) => !allowed.includes(d)),
      [],
      `packages/${pkg}/package.json depends on a package above it or beside it`
    );
    for (const needed of REQUIRED[pkg] ?? [])
      assert.ok(ours.includes(needed), `@paramscope/${pkg} should depend on @paramscope/${needed}`);
    if (NO_TFJS.includes(pkg)) {
      assert.deepEqual(
        declared(pkg).filter((d) => d.startsWith('@tensorflow/')),
        [],
        `@paramscope/${pkg} must not depend on TF.js`
      );
    }
  });

  test(`@paramscope/${pkg}'s imports go down the chain only`, () => {
    const deps = new Set(declared(pkg));
    const pkgDir = join(root, 'packages', pkg);
    const problems = [];
    for (const file of sources(join(pkgDir, 'src'))) {
      const where = relative(root, file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('@paramscope/')) {
          const target = spec.split('/').slice(0, 2).join('/');
          const name = target.slice('@paramscope/'.length);
          if (name === pkg) problems.push(`${where}: imports its own package by name (${spec})`);
          else if (!allowed.includes(name)) problems.push(`${where}: imports ${spec}, not below @paramscope/${pkg}`);
          else if (!deps.has(target))
            problems.push(`${where}: imports ${spec}, not declared in packages/${pkg}/package.json`);
        } else if (spec.startsWith('@tensorflow/') && NO_TFJS.includes(pkg)) {
          problems.push(`${where}: imports ${spec} (no TF.js in @paramscope/${pkg})`);
        } else if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          const rel = relative(join(root, 'packages'), target).split(sep);
          if (rel[0] !== '..' && rel[0] !== pkg && (rel[1] === 'src' || rel[1] === 'lib')) {
            problems.push(`${where}: reaches into packages/${rel[0]}/${rel[1]} (${spec}); import the package instead`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });
}
