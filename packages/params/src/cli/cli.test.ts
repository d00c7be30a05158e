/**
 * The built `paramscope` command, run as a child process on the real structure fixtures
 * (packages/core/fixtures/structures): exit status, verdict line, JSON output, input errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VerifyJsonOutput } from './verify';

const pkg = resolve(__dirname, '../..');
const bin = join(pkg, 'bin/paramscope.js');
const structures = resolve(pkg, '../core/fixtures/structures');
const real = (name: string): string => join(structures, 'real', `${name}.json`);
const tmp = mkdtempSync(join(tmpdir(), 'paramscope-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function paramscope(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: pkg });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A groups file from a recipe fixture: the names the document's recipe decays, and the rest. */
function recipeGroups(
  model: string,
  recipe: string,
  spelling: 'weight_decay' | 'weightDecay' = 'weight_decay'
): string {
  const recipes = JSON.parse(readFileSync(join(structures, 'real', `${model}.recipes.json`), 'utf8'));
  const { decay, noDecay } = recipes[recipe] as { decay: string[]; noDecay: string[] };
  const file = join(tmp, `${model}-${recipe}.json`);
  writeFileSync(
    file,
    JSON.stringify([
      { params: decay, [spelling]: 0.05 },
      { params: noDecay, [spelling]: 0 }
    ])
  );
  return file;
}

function write(name: string, content: string): string {
  const file = join(tmp, name);
  writeFileSync(file, content);
  return file;
}

describe('paramscope verify', () => {
  it('groups a Llama structure with the structural default and finds nothing (exit 0, verdict ok)', () => {
    const run = paramscope('verify', real('llama'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('model llama: 21 tensors (21 trainable)');
    expect(run.stdout).toContain('groups (the structural default):');
    expect(run.stdout).toMatch(/0 decay: weight decay 0\.0001, 16 tensors/);
    expect(run.stdout).toMatch(/1 no_decay: weight decay 0, 5 tensors/);
    expect(run.stdout).toContain('findings: none');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('verdict: ok');
  });

  it('takes the decay of the structural default (--weight-decay) and a torchvision ResNet-18', () => {
    const run = paramscope('verify', join(structures, 'resnet18.json'), '--weight-decay', '0.05');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 decay: weight decay 0\.05/);
    expect(run.stdout).toContain('info scale-invariant-decayed');
    expect(run.stdout).toContain('verdict: ok');
  });

  it('fails groups that decay RMSNorm weights (exit 1, verdict errors), torch spelling weight_decay', () => {
    const run = paramscope('verify', real('llama'), '--groups', recipeGroups('llama', 'moduleType'));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('error norm-param-decayed');
    expect(run.stdout).toMatch(/weight decay 0\.05/);
    expect(run.stdout).toContain('verdict: errors (fails --strict errors)');
  });

  it('reports warnings as the verdict "warnings", never ok; they fail only with --strict warnings', () => {
    const groups = recipeGroups('vit', 'adamw', 'weightDecay');
    const lenient = paramscope('verify', real('vit'), '--groups', groups);
    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toContain('warning declared-no-decay-decayed');
    expect(lenient.stdout.trimEnd().split('\n').at(-1)).toBe('verdict: warnings');
    const strict = paramscope('verify', real('vit'), '--groups', groups, '--strict', 'warnings');
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain('verdict: warnings (fails --strict warnings)');
  });

  it('prints JSON whose groups are a valid --groups file', () => {
    const run = paramscope('verify', real('resnet_frozen_bn'), '--json');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as VerifyJsonOutput;
    expect(out).toMatchObject({ verdict: 'ok', ok: true, failed: false, strict: 'errors', groupsFile: null });
    expect(out.groups.map((g) => g.params.length)).toEqual(out.groups.map((g) => g.tensorCount));
    const again = paramscope(
      'verify',
      real('resnet_frozen_bn'),
      '--groups',
      write('roundtrip.json', JSON.stringify(out.groups)),
      '--json'
    );
    expect(again.status).toBe(0);
    const second = JSON.parse(again.stdout) as VerifyJsonOutput;
    expect(second.findings).toEqual(out.findings);
    expect(second.groups.map((g) => g.params)).toEqual(out.groups.map((g) => g.params));
  });

  it('accepts an object with param_groups, and reports an unknown parameter as an error finding', () => {
    const file = write(
      'unknown.json',
      JSON.stringify({ param_groups: [{ params: ['not.a.param'], weight_decay: 0 }] })
    );
    const run = paramscope('verify', real('llama'), '--groups', file, '--json');
    expect(run.status).toBe(1);
    const codes = (JSON.parse(run.stdout) as VerifyJsonOutput).findings.map((f) => f.code);
    expect(codes).toContain('unknown-param');
    expect(codes).toContain('missing');
  });
});

describe('paramscope input and usage errors (exit 2)', () => {
  const usage = (args: string[], message: string | RegExp): void => {
    const run = paramscope(...args);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  };

  it('names a structure file that does not exist', () =>
    usage(['verify', join(tmp, 'nope.json')], /structure file .*nope\.json: cannot read it \(no such file\)/));
  it('names a structure file that is not JSON', () =>
    usage(['verify', write('bad.json', '{ "format": ')], /structure file .*bad\.json: not JSON/));
  it('names the field of an invalid structure file', () =>
    usage(
      ['verify', write('wrong.json', JSON.stringify({ format: 'other', version: 2, model: 'm', modules: [] }))],
      /structure file .*wrong\.json: invalid structure file:\n.*\$\.format: expected "paramscope-structure"/
    ));
  it('names the group and member of a bad groups file', () =>
    usage(
      ['verify', real('llama'), '--groups', write('g.json', JSON.stringify([{ params: ['lm_head.weight', 7] }]))],
      /groups file .*g\.json: group 0: params\[1\] must be a parameter name \(a string\), got 7/
    ));
  it('rejects a groups file that is not a list', () =>
    usage(
      ['verify', real('llama'), '--groups', write('n.json', '42')],
      /groups file .*n\.json: expected a list of groups/
    ));
  it('rejects a group without params', () =>
    usage(
      ['verify', real('llama'), '--groups', write('p.json', '[{"weight_decay": 0}]')],
      /group 0: "params" must be a list of parameter names/
    ));
  it('rejects an unknown strictness', () =>
    usage(['verify', real('llama'), '--strict', 'info'], /--strict must be "errors" or "warnings", got "info"/));
  it('rejects an unknown option', () => usage(['verify', real('llama'), '--fast'], /unknown option --fast/));
  it('rejects an unknown command', () => usage(['check', real('llama')], /unknown command "check"/));
  it('needs a structure file', () => usage(['verify'], /missing <structure\.json>/));
  it('prints the usage without a command', () => usage([], /usage: paramscope verify/));
  it('prints the usage on --help, exit 0', () => {
    const run = paramscope('verify', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Exit status: 0');
  });
});
