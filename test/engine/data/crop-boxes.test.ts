import { describe, expect, it } from 'vitest';
import { cropBox, sampleCropRect } from '../../../src-main/engine/data/crop-boxes';
import { Rng } from '../../../src-main/engine/util/rng';

describe('random resized crop boxes', () => {
  it('stay inside the image with area and ratio in range', () => {
    const rng = new Rng(1);
    let smallest = 1;
    for (let i = 0; i < 2000; i++) {
      const r = sampleCropRect(rng, 32, 32, [0.08, 1], [3 / 4, 4 / 3]);
      expect(r.top).toBeGreaterThanOrEqual(0);
      expect(r.left).toBeGreaterThanOrEqual(0);
      expect(r.top + r.height).toBeLessThanOrEqual(32);
      expect(r.left + r.width).toBeLessThanOrEqual(32);
      const area = (r.width * r.height) / 1024;
      smallest = Math.min(smallest, area);
      // Rounding to whole pixels moves area and ratio a little.
      expect(area).toBeGreaterThan(0.05);
      expect(r.width / r.height).toBeGreaterThan(0.6);
      expect(r.width / r.height).toBeLessThan(1.6);
    }
    expect(smallest).toBeLessThan(0.12);
  });

  it('fall back to a centre crop with the ratio clamped when nothing fits', () => {
    const r = sampleCropRect(new Rng(2), 32, 32, [1, 1], [2, 3]);
    expect(r).toEqual({ top: 8, left: 0, height: 16, width: 32 });
  });

  it('normalise to pixel centres, and mirror by swapping x', () => {
    const rect = { top: 0, left: 3, height: 32, width: 10 };
    expect(cropBox(rect, 32, 32, false)).toEqual([0, 3 / 31, 1, 12 / 31]);
    expect(cropBox(rect, 32, 32, true)).toEqual([0, 12 / 31, 1, 3 / 31]);
    expect(cropBox(rect, 32, 32, false, 1)).toEqual([1 / 33, 4 / 33, 32 / 33, 13 / 33]);
  });
});
