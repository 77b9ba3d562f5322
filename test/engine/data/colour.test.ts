import { describe, expect, it } from 'vitest';
import {
  GRAY_WEIGHTS,
  grayscaleMatrix,
  jitterMatrix,
  type JitterOp,
} from '../../../src-main/engine/data/colour';

function matrix(op: JitterOp, f: number): Float32Array {
  const m = new Float32Array(9);
  jitterMatrix(op, f, 3, m, 0);
  return m;
}

/** Row vector times matrix. */
const apply = (rgb: number[], m: Float32Array) =>
  [0, 1, 2].map((j) => rgb[0]! * m[j]! + rgb[1]! * m[3 + j]! + rgb[2]! * m[6 + j]!);
const luma = (rgb: number[]) => rgb[0]! * 0.299 + rgb[1]! * 0.587 + rgb[2]! * 0.114;
const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];

describe('colour matrices', () => {
  it('are the identity at neutral factors', () => {
    for (const [op, f] of [
      ['brightness', 1],
      ['contrast', 1],
      ['saturation', 1],
      ['hue', 0],
      ['hue', 1],
    ] as const) {
      matrix(op, f).forEach((v, i) => expect(v).toBeCloseTo(identity[i]!, 5));
    }
  });

  it('scale for brightness', () => {
    expect(apply([0.2, 0.4, 0.6], matrix('brightness', 1.5))).toEqual(
      [0.2, 0.4, 0.6].map((v) => expect.closeTo(v * 1.5, 6)),
    );
  });

  it('desaturate to the gray value at saturation 0, as grayscale does', () => {
    const g = new Float32Array(9);
    grayscaleMatrix(3, g, 0);
    const rgb = [0.9, 0.3, 0.1];
    const gray = rgb[0]! * GRAY_WEIGHTS[0] + rgb[1]! * GRAY_WEIGHTS[1] + rgb[2]! * GRAY_WEIGHTS[2];
    for (const v of [...apply(rgb, matrix('saturation', 0)), ...apply(rgb, g)])
      expect(v).toBeCloseTo(gray, 6);
  });

  it('rotate hue keeping luma, in the direction of HSV hue', () => {
    for (const rgb of [
      [0.9, 0.3, 0.1],
      [0.2, 0.5, 0.8],
      [0.5, 0.5, 0.5],
    ]) {
      for (const h of [-0.3, 0.1, 0.25]) expect(luma(apply(rgb, matrix('hue', h)))).toBeCloseTo(luma(rgb), 5);
    }
    // Red shifted by a third of the circle becomes mostly green, by a sixth yellowish (green over blue).
    const third = apply([1, 0, 0], matrix('hue', 1 / 3));
    expect(third[1]).toBeGreaterThan(third[0]!);
    expect(third[1]).toBeGreaterThan(third[2]!);
    const sixth = apply([1, 0, 0], matrix('hue', 1 / 6));
    expect(sixth[1]).toBeGreaterThan(sixth[2]!);
    // Gray has no hue to rotate.
    apply([0.5, 0.5, 0.5], matrix('hue', 0.2)).forEach((v) => expect(v).toBeCloseTo(0.5, 5));
  });

  it('reduce to scalars on one channel', () => {
    const m = new Float32Array(1);
    jitterMatrix('brightness', 1.3, 1, m, 0);
    expect(m[0]).toBeCloseTo(1.3);
    jitterMatrix('hue', 0.2, 1, m, 0);
    expect(m[0]).toBe(1);
  });
});
