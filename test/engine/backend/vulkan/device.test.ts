import * as tf from '@tensorflow/tfjs-core';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../../../src-main/engine/backend';
import {
  timeVulkanShaders,
  vulkanDevice,
  type VulkanAddon,
} from '../../../../src-main/engine/backend/vulkan';
import { createInstance, ctxAt, randomBatch } from '../../methods/method-harness';
import { spirv } from '../../../../src-main/engine/backend/vulkan/spirv';
import { vulkanAvailable } from './vulkan-helpers';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const glslcFound = spawnSync('glslc', ['--version']).status === 0;

describe('the committed SPIR-V', () => {
  // CI installs glslc and requires it, so a shader edited without recompiling fails there. (A lent GPU
  // machine requires a Vulkan device but has no glslc.)
  it.runIf(glslcFound || process.env.CONTRASTLAB_REQUIRE_GLSLC === '1')(
    'is what glslc makes of the shaders',
    () => {
      const check = spawnSync('node', ['scripts/compile-shaders.js', '--check'], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    },
  );

  // SPIR-V's GLSL.std.450 Fma (instruction 50 of OpExtInst, opcode 12): one rounding where the tfjs ops
  // round a product and a sum apart. glslc -O fuses a·b + c unless the result is `precise`, and a GPU
  // driver then computes it fused (lavapipe did not, so the tests against the cpu passed there anyway).
  it('has no fused multiply-add in the shaders that give the cpu’s results bit for bit', () => {
    const fusedMultiplyAdds = (shader: keyof typeof spirv): number => {
      const bytes = Buffer.from(spirv[shader], 'base64');
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      let count = 0;
      for (let i = 5; i < words.length; i += words[i]! >>> 16) {
        if ((words[i]! & 0xffff) === 12 && words[i + 4] === 50) count++;
      }
      return count;
    };
    const exact = ['sgdUpdate', 'emaUpdate', 'scaledSum', 'larsUpdate', 'adamwUpdate'] as const;
    expect(exact.map((s) => [s, fusedMultiplyAdds(s)])).toEqual(exact.map((s) => [s, 0]));
    // The parser finds them where they are.
    expect(fusedMultiplyAdds('batchNormNormalize')).toBeGreaterThan(0);
  });
});

describe.runIf(vulkanAvailable)('the vulkan backend', () => {
  const addon = (): VulkanAddon => vulkanDevice().addon!;

  it('names the device, the driver and where tensors live in its backend line', async () => {
    const info = await initBackend('vulkan');
    expect(info.name).toBe('vulkan');
    expect(info.device).toMatch(
      /^(CPU \(a Vulkan device in software\)|GPU \(\w+\)): .+, Vulkan 1\.\d+\.\d+, driver .+; \d+ of \d+ kernels on the device, the rest on the cpu; tensors in [\d.]+ GiB of (device memory, mapped|host memory, read by the device over the bus)(, read back through host memory)?$/,
    );
    // lavapipe is a CPU device: not a GPU for `bench --compare-torch`'s choice of PyTorch's device.
    const opened = vulkanDevice();
    expect(info.gpu).toBe(opened.addon !== null && opened.info.type !== 'cpu');
  });

  it('records a chain of ops and submits it once, when the result is read', async () => {
    await initBackend('vulkan');
    const x = tf.randomNormal([1000], 0, 1, 'float32', 5);
    const before = addon().stats();
    const y = tf.tidy(() => {
      let t = x;
      for (let i = 0; i < 40; i++) t = tf.relu(tf.add(tf.mul(t, 0.9), 0.1));
      return t;
    });
    const recorded = addon().stats();
    expect(recorded.dispatches - before.dispatches).toBe(120);
    expect(recorded.submits).toBe(before.submits);
    await y.data();
    expect(addon().stats().submits).toBe(before.submits + 1);
    tf.dispose([x, y]);
  });

  it('stops allocating device memory after the first training step, and frees what a step made', async () => {
    await initBackend('vulkan');
    const { instance, config } = createInstance('simclr', { backbone: 'convnet' });
    const variables = instance.trainableParameters().map(([, v]) => v);
    const step = (seed: number) => {
      const batch = randomBatch('simclr', config, [0, 1, 2, 3, 4, 5, 6, 7], seed);
      const { value, grads } = tf.variableGrads(() => instance.step(batch, ctxAt(seed)).loss, variables);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads), ...batch.views]);
    };
    step(1);
    const warm = addon().stats();
    step(2);
    step(3);
    const after = addon().stats();
    expect(after.blocks).toBe(warm.blocks);
    expect(after.blockBytes).toBe(warm.blockBytes);
    expect(after.liveBuffers).toBe(warm.liveBuffers);
    instance.dispose();
  });

  it("times each shader's dispatches on the device, from GPU timestamps", async () => {
    await initBackend('vulkan');
    const a = tf.randomNormal([64, 64], 0, 1, 'float32', 3);
    const out: tf.Tensor[] = [];
    const times = await timeVulkanShaders(async () => {
      const b = tf.add(a, a);
      const c = tf.mul(b, a);
      const d = tf.matMul(c, a);
      out.push(b, c, d);
      await d.data();
    });
    const byShader = Object.fromEntries(times.map((t) => [t.shader, t]));
    expect(byShader.binary?.dispatches).toBe(2);
    expect(byShader.matmul?.dispatches).toBe(1);
    expect(times.every((t) => t.ms >= 0 && Number.isFinite(t.ms))).toBe(true);
    expect(times.reduce((sum, t) => sum + t.ms, 0)).toBeGreaterThan(0);
    // Off again, and taken: work outside a timed stretch is not counted.
    const untimed = tf.add(a, a);
    await untimed.data();
    expect(await timeVulkanShaders(async () => {})).toEqual([]);
    untimed.dispose();
    tf.dispose([a, ...out]);
  });

  it('refuses a buffer it does not hold, in one line', () => {
    expect(() => addon().write(1e6, new Float32Array(1))).toThrow(
      /^Vulkan: buffer 1000000 is not allocated$/,
    );
  });
});

describe('without a Vulkan device', () => {
  it('the backend says why in one line', () => {
    const script = `import('./src-main/engine/backend/index.ts').then(({ initBackend }) => initBackend('vulkan')).then(
      () => console.log('started'), (e) => console.log(e.message))`;
    const out = execFileSync('node', ['--import', 'tsx', '-e', script], {
      cwd: repoRoot,
      env: { ...process.env, CONTRASTLAB_VULKAN: '0' },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(
      "Backend 'vulkan' cannot start: CONTRASTLAB_VULKAN=0; use 'auto', 'wasm' or 'cpu'.",
    );
  });
});
