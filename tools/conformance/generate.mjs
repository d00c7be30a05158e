#!/usr/bin/env node
/**
 * Writes the conformance vectors (test/conformance/vectors/*.json) from the built TypeScript
 * implementation. Run from the repository root after a build:
 *
 *   npx tsc -b packages/params && node tools/conformance/generate.mjs
 *
 * Stale vectors (cases that no longer exist) are removed. packages/params'
 * src/verify/conformance.test.ts fails when the committed vectors differ from what this writes.
 */
import { Buffer } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const params = require(path.join(repoRoot, 'packages/params/lib/index.js'));
const { VECTORS_DIR, buildVectors, serializeVector } = require('./cases.js');

const dir = path.join(repoRoot, VECTORS_DIR);
fs.mkdirSync(dir, { recursive: true });
const vectors = buildVectors(params, repoRoot);
for (const stale of fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !(f in vectors))) {
  fs.rmSync(path.join(dir, stale));
}
let bytes = 0;
for (const [file, vector] of Object.entries(vectors)) {
  const text = serializeVector(vector);
  bytes += Buffer.byteLength(text);
  fs.writeFileSync(path.join(dir, file), text);
}
console.log(`${Object.keys(vectors).length} vectors, ${(bytes / 1e6).toFixed(2)} MB in ${VECTORS_DIR}`);
