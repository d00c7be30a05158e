import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { useBestBackend } from '../backend';
import { provenance } from './provenance';

/** A one-commit git repository in a temporary directory. */
function repository(): string {
  const root = mkdtempSync(join(tmpdir(), 'paramscope-provenance-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  git('init', '-q');
  writeFileSync(join(root, 'a.txt'), 'a\n');
  git('add', 'a.txt');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'one');
  return root;
}

const root = repository();

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('provenance', () => {
  it('records the commit, a clean tree, the command, the backend and its versions (cpu)', async () => {
    await tf.setBackend('cpu');
    const record = provenance(root, 'node run.js');
    expect(record.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(record.dirty).toBe(false);
    expect(record.command).toBe('node run.js');
    expect(record.backend).toBe('cpu');
    expect(record.versions).toMatchObject({
      tfjs: tf.version.tfjs,
      node: process.versions.node,
      'tfjs-backend-cpu': expect.any(String)
    });
    expect(record.versions.libtensorflow).toBeUndefined();
  });

  it('sees an uncommitted change', async () => {
    await tf.setBackend('cpu');
    writeFileSync(join(root, 'b.txt'), 'b\n');
    expect(provenance(root, 'x').dirty).toBe(true);
  });

  it("records tfjs-node and its libtensorflow (through core's seam) on tensorflow", async (context) => {
    // The package's own loader: skipped where set-up could not build the native backend.
    const { attempts } = await useBestBackend(['tfjs-node', 'cpu']);
    if (!attempts[0].ok) context.skip();
    await tf.setBackend('tensorflow');
    const record = provenance(root, 'x');
    expect(record.backend).toBe('tensorflow');
    expect(record.versions['tfjs-node']).toMatch(/^\d+\.\d+\.\d+/);
    expect(record.versions.libtensorflow).toMatch(/^\d+\.\d+/);
  });

  it('names the directory when git fails there', () => {
    const outside = mkdtempSync(join(tmpdir(), 'paramscope-no-git-'));
    expect(() => provenance(outside, 'x')).toThrow(/provenance: "git rev-parse HEAD" failed in /);
  });
});
