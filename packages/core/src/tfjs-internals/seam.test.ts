import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WRITTEN_FOR, internalsMessage } from './seam';

const manifest = (pkg: string): Record<string, Record<string, string>> =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', pkg, 'package.json'), 'utf8'));

describe('tfjs-internals seams', () => {
  it('are written for exactly the versions the package.json files pin', () => {
    const core = manifest('core');
    const notebook = manifest('notebook');
    const pins = {
      '@paramscope/core @tensorflow/tfjs': core.dependencies['@tensorflow/tfjs'],
      '@paramscope/core @tensorflow/tfjs-backend-wasm': core.devDependencies['@tensorflow/tfjs-backend-wasm'],
      // useThreadedWasmBackend reaches its files: whoever installs it gets this exact version.
      '@paramscope/core @tensorflow/tfjs-backend-wasm (peer)': core.peerDependencies['@tensorflow/tfjs-backend-wasm'],
      '@paramscope/notebook @tensorflow/tfjs': notebook.dependencies['@tensorflow/tfjs'],
      '@paramscope/notebook @tensorflow/tfjs-backend-wasm': notebook.dependencies['@tensorflow/tfjs-backend-wasm']
    };
    for (const [what, pin] of Object.entries(pins)) {
      expect(pin, `${what} must be pinned to the seams' version`).toBe(WRITTEN_FOR.tfjs);
    }
    for (const name of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
      expect(notebook.peerDependencies[name], `@paramscope/notebook ${name}`).toBe(WRITTEN_FOR.tfjsNode);
    }
  });

  it('say which seam, what changed, the installed version and the one they were written for', () => {
    const seam = { module: 'tfjs-internals/example', dependency: '@tensorflow/tfjs-core', writtenFor: '4.22.0' };
    expect(internalsMessage(seam, 'the engine has no `state`', '5.0.0')).toBe(
      '@paramscope/core tfjs-internals/example: the engine has no `state` in @tensorflow/tfjs-core 5.0.0 ' +
        '(this seam was written for 4.22.0; pin that version or update the seam)'
    );
  });
});
