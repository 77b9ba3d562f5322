import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';

// Before the device opens (importing the helpers opens it): reads copy through host-cached memory, as
// they do on a GPU whose memory the CPU reads uncached. lavapipe's memory is cached, so it is forced.
vi.hoisted(() => {
  process.env.CONTRASTLAB_VULKAN_STAGED_READS = '1';
});

import { vulkanDevice } from '../../../../src-main/engine/backend/vulkan';
import { compareVulkanToCpu, evaluateOn, vulkanAvailable } from './vulkan-helpers';

describe.runIf(vulkanAvailable)('staged reads', () => {
  const device = () => vulkanDevice() as Extract<ReturnType<typeof vulkanDevice>, { addon: object }>;

  it('give the values the shaders wrote, for reads large and small', async () => {
    expect(device().info.stagedReads).toBe(true);
    const before = device().addon.stats().stagedReads;
    // 50,000 floats (staged) and 3 (read from the mapping directly), each after recorded work.
    const { error, fellBack } = await compareVulkanToCpu(() => {
      const x = tf.randomNormal([500, 100], 0, 1, 'float32', 7);
      return [tf.add(tf.mul(x, 2), 1), tf.sum(x, 0).slice(0, 3)];
    });
    expect(fellBack).toEqual([]);
    expect(error).toBeLessThan(1e-5);
    expect(device().addon.stats().stagedReads).toBe(before + 1);
  });

  it('grow the staging buffer for a read larger than any before', async () => {
    const n = 3 << 20; // 12 MiB, past the first staging buffer's 1 MiB
    const { values } = await evaluateOn('vulkan', () => tf.add(tf.range(0, n, 1, 'float32'), 1));
    expect(values[0].length).toBe(n);
    expect(values[0][0]).toBe(1);
    expect(values[0][n - 1]).toBe(n);
    expect(values[0].every((v, i) => v === i + 1)).toBe(true);
  });
});
