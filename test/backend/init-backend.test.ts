import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';

import { initBackend, registerWasmKernels, wasmKernelNames } from '../../src-main/engine/backend';

const require = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

// The native packages are optional: absent on machines without internet at install time (ours),
// present on a user's machine. Each branch below only runs where it applies.
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

describe('initBackend', () => {
  it("'cpu' selects the pure-JS backend", async () => {
    const info = await initBackend('cpu');
    expect(info).toEqual({ name: 'cpu', device: 'CPU: pure JS' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it("'wasm' selects wasm and describes the CPU", async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.device).toMatch(/^CPU: wasm( SIMD| \(no SIMD\)), \d+ threads? \(.+\)$/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('is idempotent and switches back to a backend chosen earlier', async () => {
    const first = await initBackend('wasm');
    await initBackend('cpu');
    expect(await initBackend('wasm')).toEqual(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it("'wasm' has the project's kernels registered, once, without warnings", async () => {
    const warn = vi.spyOn(console, 'warn');
    await initBackend('wasm');
    registerWasmKernels();
    registerWasmKernels();
    for (const name of wasmKernelNames) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("'auto' takes libtensorflow when installed, else wasm", async () => {
    const info = await initBackend('auto');
    // An installed native package can still fail to load (e.g. tfjs-node-gpu without CUDA libraries).
    expect(nativeInstalled ? ['tensorflow', 'wasm'] : ['wasm']).toContain(info.name);
  });

  it.skipIf(nativeInstalled)(
    "'tensorflow' rejects with one clear line when the native packages are absent",
    async () => {
      const error = await initBackend('tensorflow').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain('@tensorflow/tfjs-node');
      expect(message).toContain('optional');
      expect(message).toContain('not installed');
    },
  );

  it.runIf(nativeInstalled)(
    "'tensorflow' uses libtensorflow when a native package is installed",
    async () => {
      const info = await initBackend('tensorflow');
      expect(info.name).toBe('tensorflow');
      expect(info.device).toMatch(/libtensorflow|CUDA GPU/);
    },
  );
});
