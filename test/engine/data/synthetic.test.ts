import { describe, expect, it } from 'vitest';
import { generateSynthetic, syntheticClassNames } from '../../../src-main/engine/data/synthetic';
import type { ImageSplit } from '../../../src-main/engine/data/dataset';
import { splitBytes } from '../../../src-main/engine/data/splits';

/** Mean colour per image, in [0, 1]. */
function meanColours(split: ImageSplit): Float64Array {
  const out = new Float64Array(split.count * 3);
  const bytes = splitBytes(split);
  const per = bytes.length / split.count;
  for (let i = 0; i < split.count; i++) {
    for (let p = 0; p < per; p++) out[i * 3 + (p % 3)] += bytes[i * per + p]! / 255 / (per / 3);
  }
  return out;
}

describe('synthetic dataset', () => {
  const data = generateSynthetic({ seed: 7 });

  it('has the documented shape and default sizes', () => {
    expect(data.id).toBe('synthetic');
    expect([data.height, data.width, data.channels]).toEqual([32, 32, 3]);
    expect(data.classNames).toEqual(syntheticClassNames);
    expect(data.train.count).toBe(2000);
    expect(data.test.count).toBe(500);
    expect(splitBytes(data.train).length).toBe(2000 * 32 * 32 * 3);
    expect(splitBytes(data.test).length).toBe(500 * 32 * 32 * 3);
  });

  it('is deterministic in the seed', () => {
    const again = generateSynthetic({ seed: 7 });
    expect(Buffer.from(splitBytes(again.train)).equals(Buffer.from(splitBytes(data.train)))).toBe(true);
    expect(Buffer.from(splitBytes(again.test)).equals(Buffer.from(splitBytes(data.test)))).toBe(true);
    expect(again.train.labels).toEqual(data.train.labels);
    const other = generateSynthetic({ seed: 8 });
    expect(Buffer.from(splitBytes(other.train)).equals(Buffer.from(splitBytes(data.train)))).toBe(false);
  });

  it('keeps the test split fixed when only the training size changes', () => {
    const small = generateSynthetic({ seed: 7, trainSize: 100, testSize: 500 });
    expect(Buffer.from(splitBytes(small.test)).equals(Buffer.from(splitBytes(data.test)))).toBe(true);
  });

  it('has balanced classes', () => {
    for (const split of [data.train, data.test]) {
      const counts = new Array(10).fill(0);
      for (const l of split.labels!) counts[l]++;
      expect(counts).toEqual(new Array(10).fill(split.count / 10));
    }
    const odd = generateSynthetic({ seed: 1, trainSize: 25, testSize: 13 });
    const counts = new Array(10).fill(0);
    for (const l of odd.train.labels!) counts[l]++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('computes channel statistics from the training split', () => {
    for (let c = 0; c < 3; c++) {
      expect(data.mean[c]).toBeGreaterThan(0.4);
      expect(data.mean[c]).toBeLessThan(0.6);
      expect(data.std[c]).toBeGreaterThan(0.2);
      expect(data.std[c]).toBeLessThan(0.4);
    }
  });

  it('cannot be solved from mean colour (nearest class mean near chance)', () => {
    const train = meanColours(data.train);
    const centroids = new Float64Array(30);
    const counts = new Float64Array(10);
    data.train.labels!.forEach((l, i) => {
      counts[l]++;
      for (let c = 0; c < 3; c++) centroids[l * 3 + c] += train[i * 3 + c]!;
    });
    for (let k = 0; k < 30; k++) centroids[k]! /= counts[Math.floor(k / 3)]!;
    const test = meanColours(data.test);
    let correct = 0;
    data.test.labels!.forEach((l, i) => {
      let best = -1;
      let bestD = Infinity;
      for (let k = 0; k < 10; k++) {
        let d = 0;
        for (let c = 0; c < 3; c++) d += (test[i * 3 + c]! - centroids[k * 3 + c]!) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      }
      if (best === l) correct++;
    });
    expect(correct / data.test.count).toBeLessThan(0.3);
  });

  it('has structure beyond colour: edge orientation separates the stripe classes', () => {
    // Horizontal stripes have strong vertical gradients and weak horizontal ones; vertical stripes the reverse.
    const ratio = (i: number) => {
      let gx = 0;
      let gy = 0;
      const img = splitBytes(data.train).subarray(i * 3072, (i + 1) * 3072);
      for (let y = 0; y < 31; y++) {
        for (let x = 0; x < 31; x++) {
          for (let c = 0; c < 3; c++) {
            const v = img[(y * 32 + x) * 3 + c]!;
            gx += Math.abs(img[(y * 32 + x + 1) * 3 + c]! - v);
            gy += Math.abs(img[((y + 1) * 32 + x) * 3 + c]! - v);
          }
        }
      }
      return gy / gx;
    };
    let right = 0;
    let total = 0;
    data.train.labels!.forEach((l, i) => {
      if (l === 5 || l === 6) {
        total++;
        if (ratio(i) > 1 === (l === 5)) right++;
      }
    });
    expect(right / total).toBeGreaterThan(0.95);
  });

  it('rejects a bad size', () => {
    expect(() => generateSynthetic({ trainSize: 0 })).toThrow(/trainSize must be a positive whole number/);
    expect(() => generateSynthetic({ testSize: 2.5 })).toThrow(/testSize/);
  });
});
