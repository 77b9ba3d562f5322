import { describe, expect, it } from 'vitest';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import { paperPatchGrid, patchGridSize } from '../../../src-main/engine/methods/patch-grid';

describe('CPC’s patch grid follows the image size', () => {
  it('scales the paper’s 64-px patches with stride 32 on 256 px: 8/4 at 32, 24/12 at 96, 56/28 at 224', () => {
    expect(paperPatchGrid(256)).toEqual({ patchSize: 64, stride: 32 });
    expect(paperPatchGrid(32)).toEqual({ patchSize: 8, stride: 4 });
    expect(paperPatchGrid(96)).toEqual({ patchSize: 24, stride: 12 });
    expect(paperPatchGrid(224)).toEqual({ patchSize: 56, stride: 28 });
    for (const size of [32, 96, 224, 256]) {
      const { patchSize, stride } = paperPatchGrid(size);
      expect(patchGridSize(size, patchSize, stride), `${size} px`).toBe(7);
    }
  });

  it('gives 7×7 on multiples of 8 and from 64 px up, and at most 10×10 on the smallest sides', () => {
    for (let size = 16; size <= 256; size++) {
      const { patchSize, stride } = paperPatchGrid(size);
      expect(patchSize, `${size} px`).toBe(2 * stride);
      const grid = patchGridSize(size, patchSize, stride);
      if (size % 8 === 0 || size >= 64) expect(grid, `${size} px`).toBe(7);
      expect(grid, `${size} px`).toBeGreaterThanOrEqual(7);
      expect(grid, `${size} px`).toBeLessThanOrEqual(10);
    }
  });

  it('keeps a patch size or stride set by hand; a patch size alone overlaps by half', () => {
    expect(paperPatchGrid(96, 16, 4)).toEqual({ patchSize: 16, stride: 4 });
    expect(paperPatchGrid(96, 16)).toEqual({ patchSize: 16, stride: 8 });
    expect(paperPatchGrid(96, 0, 6)).toEqual({ patchSize: 12, stride: 6 });
    // The method's defaults ask for the automatic grid.
    const config = resolveConfig(getMethod('cpc'), {});
    expect([config.patchSize, config.patchStride]).toEqual([0, 0]);
  });
});
