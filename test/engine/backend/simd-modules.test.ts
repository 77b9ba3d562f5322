import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  BATCH_NORM_SIMD_PLAIN,
  BATCH_NORM_SIMD_SHARED,
} from '../../../src-main/engine/backend/kernels/batch-norm-simd';
import {
  TRANSPOSE_SIMD_PLAIN,
  TRANSPOSE_SIMD_SHARED,
} from '../../../src-main/engine/backend/kernels/transpose-simd';

const kernels = path.resolve(import.meta.dirname, '../../../src-main/engine/backend/kernels');

const modules: [string, string, string][] = [
  ['batch-norm-simd.wat', BATCH_NORM_SIMD_SHARED, BATCH_NORM_SIMD_PLAIN],
  ['transpose-simd.wat', TRANSPOSE_SIMD_SHARED, TRANSPOSE_SIMD_PLAIN],
];

function hasWat2wasm(): boolean {
  try {
    execFileSync('wat2wasm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the embedded SIMD modules', () => {
  for (const [file, shared, plain] of modules) {
    it(`${file}: both builds (shared and plain memory) are valid WebAssembly`, () => {
      for (const b64 of [shared, plain]) expect(WebAssembly.validate(Buffer.from(b64, 'base64'))).toBe(true);
    });

    // Needs wabt (apt-get install wabt); skipped where it is not installed.
    it.skipIf(!hasWat2wasm())(`${file}: the embedded bytes are the .wat as it stands, compiled`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simd-'));
      try {
        const wat = path.join(kernels, file);
        const plainWat = path.join(dir, 'plain.wat');
        const source = fs.readFileSync(wat, 'utf8');
        expect(source).toContain('(memory 1 65536 shared)');
        fs.writeFileSync(plainWat, source.replace('(memory 1 65536 shared)', '(memory 1)'));
        execFileSync('wat2wasm', ['--enable-threads', wat, '-o', path.join(dir, 'shared.wasm')]);
        execFileSync('wat2wasm', [plainWat, '-o', path.join(dir, 'plain.wasm')]);
        expect(fs.readFileSync(path.join(dir, 'shared.wasm')).toString('base64')).toBe(shared);
        expect(fs.readFileSync(path.join(dir, 'plain.wasm')).toString('base64')).toBe(plain);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
