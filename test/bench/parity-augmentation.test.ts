import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sampleCropRect } from '../../src-main/engine/data/crop-boxes';
import { Rng } from '../../src-main/engine/util/rng';
import { repoRoot } from '../helpers/cli';

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, torchvision']).status === 0;

const COUNT = 20_000;

/** SimCLR's, MoCo v2's and DINO's smallest crop areas. */
const SCALES = [0.08, 0.2, 0.4];

interface Stats {
  mean: number;
  min: number;
  max: number;
}

/** The kit's crop area fractions (bench/parity/common.py crop_area_fractions) for every scale, one Python start. */
function kitCrops(size: number): Stats[] {
  const code =
    'import json, sys; sys.path.insert(0, "bench/parity"); import common; ' +
    `runs = [common.crop_area_fractions(${size}, s, ${COUNT}) for s in ${JSON.stringify(SCALES)}]; ` +
    'print(json.dumps([{"mean": sum(a) / len(a), "min": min(a), "max": max(a)} for a in runs]))';
  const r = spawnSync(python, ['-c', code], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Stats[];
}

function ourCrops(size: number, minScale: number): Stats {
  const rng = new Rng(0);
  const areas = Array.from({ length: COUNT }, () => {
    const rect = sampleCropRect(rng, size, size, [minScale, 1], [3 / 4, 4 / 3]);
    return (rect.height * rect.width) / (size * size);
  });
  return {
    mean: areas.reduce((a, b) => a + b, 0) / COUNT,
    min: Math.min(...areas),
    max: Math.max(...areas),
  };
}

describe("the parity kit's views against ours, one piece at a time", () => {
  it('draws random resized crops of the same areas (crop scales 0.08, 0.2, 0.4 at 32 px)', (ctx) => {
    ctx.skip(!hasTorch, 'python3-torch and python3-torchvision are not installed');
    const kit = kitCrops(32);
    SCALES.forEach((minScale, i) => {
      const ours = ourCrops(32, minScale);
      // 20,000 draws: the standard error of the mean area is below 0.002.
      expect(Math.abs(kit[i]!.mean - ours.mean), `scale ${minScale}`).toBeLessThan(0.01);
      expect(kit[i]!.max).toBe(1);
      expect(ours.max).toBe(1);
      // Whole pixels: the smallest crop is near the scale's floor on both sides.
      expect(Math.abs(kit[i]!.min - ours.min), `scale ${minScale}`).toBeLessThan(0.02);
      expect(kit[i]!.min).toBeGreaterThanOrEqual(minScale * 0.85);
    });
  });
});
