import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../../src-main/engine/backend/gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/domain';
import { createBackbone, describeBackbone } from '../../../src-main/engine/nn/backbones';
import {
  LayerNorm,
  MultiHeadAttention,
  VisionTransformer,
  gelu,
  gridInterpolationMatrix,
  sinCos2d,
  vitPatchSize,
  vitTiny,
} from '../../../src-main/engine/nn/vit';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Plain-JS multi-head self-attention over one sequence [T, D], from the weights, as the reference. */
function referenceAttention(
  x: number[][],
  wqkv: number[][],
  bqkv: number[],
  wproj: number[][],
  bproj: number[],
  heads: number,
) {
  const d = x[0]!.length;
  const hd = d / heads;
  const qkv = x.map((row) => bqkv.map((b, j) => b + row.reduce((s, v, i) => s + v * wqkv[i]![j]!, 0)));
  const concat = x.map(() => new Array<number>(d).fill(0));
  for (let h = 0; h < heads; h++) {
    const col = (m: number, t: number, c: number) => qkv[t]![m * d + h * hd + c]!;
    for (let t = 0; t < x.length; t++) {
      const scores = x.map((_, s) => {
        let dot = 0;
        for (let c = 0; c < hd; c++) dot += col(0, t, c) * col(1, s, c);
        return dot / Math.sqrt(hd);
      });
      const max = Math.max(...scores);
      const e = scores.map((v) => Math.exp(v - max));
      const z = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < hd; c++)
        concat[t]![h * hd + c] = e.reduce((s, w, si) => s + (w / z) * col(2, si, c), 0);
    }
  }
  return concat.map((row) => bproj.map((b, j) => b + row.reduce((s, v, i) => s + v * wproj[i]![j]!, 0)));
}

describe('ViT', () => {
  it('multi-head self-attention matches a plain reference implementation', () => {
    const rng = new Rng(3);
    const attn = new MultiHeadAttention(8, 2, rng);
    const params = Object.fromEntries(attn.namedParameters().map(([n, v]) => [n, v.arraySync()]));
    // Non-zero biases, so their slicing per head is checked too.
    attn.namedParameters().forEach(([n, v]) => {
      if (n.endsWith('bias')) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 7));
      params[n] = v.arraySync();
    });
    const x = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 1);
    const got = attn.forward(x).arraySync() as number[][][];
    const xs = x.arraySync() as number[][][];
    for (let b = 0; b < 2; b++) {
      const want = referenceAttention(
        xs[b]!,
        params['qkv.weight'] as number[][],
        params['qkv.bias'] as number[],
        params['proj.weight'] as number[][],
        params['proj.bias'] as number[],
        2,
      );
      got[b]!.forEach((row, t) => row.forEach((v, j) => expect(v).toBeCloseTo(want[t]![j]!, 4)));
    }
    attn.dispose();
  });

  it('layer norm normalises each token; GELU is x·Φ(x)', () => {
    const ln = new LayerNorm(4);
    const y = ln.forward(tf.tensor2d([[1, 2, 3, 4]])).dataSync();
    expect(Array.from(y).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(Array.from(y).reduce((a, b) => a + b * b, 0) / 4).toBeCloseTo(1, 3);
    // Φ(1) = 0.841345, Φ(−1) = 0.158655
    expect(Array.from(gelu(tf.tensor1d([1, -1, 0])).dataSync())).toEqual([
      expect.closeTo(0.841345, 5),
      expect.closeTo(-0.158655, 5),
      0,
    ]);
    ln.dispose();
  });

  it('maps 32×32 images to the [CLS] feature, and 16×16 local crops through resampled positions', () => {
    const net = vitTiny(4, new Rng(1));
    expect(net.outputDim).toBe(16);
    expect(net.forward(tf.randomNormal([3, 32, 32, 3]), true).shape).toEqual([3, 16]);
    expect(net.forward(tf.randomNormal([2, 16, 16, 3]), true).shape).toEqual([2, 16]);
    net.dispose();
  });

  it('ViT-tiny at width 48 has ViT-Tiny’s width: D 192, 6 heads of 32, patch 4', () => {
    const net = vitTiny(48, new Rng(1));
    expect(net.options).toMatchObject({ dim: 192, heads: 6, patchSize: 4, depth: 6, mlpRatio: 4 });
    // patch embed 48·192+192, cls 192, pos 65·192, per block 2 LN (4·192) + qkv 192·576+576
    // + proj 192²+192 + MLP 192·768+768+768·192+192, final LN 384.
    const block = 4 * 192 + (192 * 576 + 576) + (192 * 192 + 192) + (192 * 768 + 768 + 768 * 192 + 192);
    expect(net.parameterCount()).toBe(48 * 192 + 192 + 192 + 65 * 192 + 6 * block + 384);
    net.dispose();
  });

  it('is registered as backbone vit_tiny and every parameter receives a gradient', () => {
    const net = createBackbone('vit_tiny', 4, new Rng(2), 3, 32) as unknown as VisionTransformer;
    const vars = net.parameters();
    const { grads, value } = tf.variableGrads(
      () =>
        tf.sum(
          tf.square(net.forward(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 4), true)),
        ) as tf.Scalar,
      vars,
    );
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    for (const v of vars) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      expect(tf.sum(tf.abs(g!)).dataSync()[0], v.name).toBeGreaterThan(0);
    }
    net.dispose();
  });

  it('sin-cos position embeddings follow MoCo v3’s 2-D layout and stay fixed', () => {
    const table = sinCos2d(2, 3, 8);
    // token (i=1, j=2): [sin(2ω), cos(2ω), sin(1ω), cos(1ω)] with ω = [1, 1/100]
    const row = Array.from(table.slice((1 * 3 + 2) * 8, (1 * 3 + 3) * 8));
    const want = [
      Math.sin(2),
      Math.sin(0.02),
      Math.cos(2),
      Math.cos(0.02),
      Math.sin(1),
      Math.sin(0.01),
      Math.cos(1),
      Math.cos(0.01),
    ];
    row.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    const learned = vitTiny(4, new Rng(1), 3, 32, 'learned');
    const fixed = vitTiny(4, new Rng(1), 3, 32, 'sincos');
    expect(learned.namedParameters().map(([n]) => n)).toContain('pos_embed');
    expect(fixed.namedParameters().map(([n]) => n)).not.toContain('pos_embed');
    learned.dispose();
    fixed.dispose();
  });

  it('bilinear grid resampling: identity at the same size, rows summing to 1, averages when halving', () => {
    const same = gridInterpolationMatrix(3, 3, 3, 3);
    for (let i = 0; i < 9; i++)
      for (let j = 0; j < 9; j++) expect(same[i * 9 + j]).toBeCloseTo(i === j ? 1 : 0, 6);
    const half = gridInterpolationMatrix(4, 4, 2, 2);
    for (let r = 0; r < 4; r++) {
      const row = Array.from(half.slice(r * 16, r * 16 + 16));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    // Output (0,0) sits at input (0.5, 0.5): the mean of the four top-left inputs.
    expect(Array.from(half.slice(0, 16)).map((v) => +v.toFixed(4))).toEqual([
      0.25, 0.25, 0, 0, 0.25, 0.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('holds no tensors beyond its parameters and buffers (dispose releases everything)', () => {
    const before = tf.memory().numTensors;
    for (const pos of ['learned', 'sincos'] as const) {
      const net = vitTiny(4, new Rng(1), 3, 32, pos);
      tf.tidy(() => {
        net.forward(tf.zeros([1, 16, 16, 3]), true);
      });
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects images that are not a whole number of patches', () => {
    const net = vitTiny(4, new Rng(1));
    expect(() => net.forward(tf.zeros([1, 30, 30, 3]), true)).toThrow(/multiple of patch 4/);
    net.dispose();
  });
});

describe('ViT patch size follows the resolution', () => {
  it('is image size / 8 on multiples of 8: 4 px at 32, 8 at 64, 12 at 96, 16 at 128, 28 at 224', () => {
    const sizes = [16, 32, 64, 96, 128, 224, 256];
    expect(sizes.map(vitPatchSize)).toEqual([2, 4, 8, 12, 16, 28, 32]);
    for (let size = 16; size <= 256; size += 8) {
      const patch = vitPatchSize(size);
      expect(size % patch, `${size} px`).toBe(0);
      expect((size / patch) ** 2, `${size} px`).toBe(64);
    }
  });

  it('keeps about 64 tokens at every size it accepts, and refuses the others with a clear error', () => {
    let accepted = 0;
    for (let size = 16; size <= 256; size++) {
      let patch: number;
      try {
        patch = vitPatchSize(size);
      } catch (error) {
        expect(error, `${size} px`).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toMatch(new RegExp(`^ViT: a ${size}-px image does not split`));
        continue;
      }
      accepted++;
      expect(Number.isInteger(patch) && size % patch === 0, `${size} px`).toBe(true);
      expect([49, 64, 81], `${size} px`).toContain((size / patch) ** 2);
    }
    expect(accepted).toBeGreaterThan(60);
    expect(vitPatchSize(63)).toBe(9); // 7×7 before 9×9: 49 tokens are nearer 64 than 81
    expect(vitPatchSize(81)).toBe(9);
    expect(() => vitPatchSize(100)).toThrow(
      'ViT: a 100-px image does not split into an 8×8, 7×7 or 9×9 grid of patches (about 64 tokens); choose a multiple of 8, such as 96 or 104 px',
    );
    expect(() => createBackbone('vit_tiny', 4, new Rng(1), 3, 100)).toThrow(ConfigError);
  });

  it('builds its grid for the image size and tokenises smaller crops with the same patch', () => {
    for (const [size, local] of [
      [96, 36],
      [224, 84],
    ] as const) {
      const net = vitTiny(4, new Rng(1), 3, size);
      const patch = size / 8;
      expect(net.options.patchSize).toBe(patch);
      // 64 patch positions + [CLS] in the learned table; the patch embedding takes p·p·3 values.
      const shapes = Object.fromEntries(net.namedParameters().map(([n, v]) => [n, v.shape]));
      expect(shapes['pos_embed']).toEqual([65, 16]);
      expect(shapes['patch_embed.weight']).toEqual([patch * patch * 3, 16]);
      expect(net.forward(tf.randomNormal([1, size, size, 3]), true).shape).toEqual([1, 16]);
      // DINO's local crops (96/224 of the side in whole patches): fewer tokens, positions resampled.
      expect(net.forward(tf.randomNormal([2, local, local, 3]), true).shape).toEqual([2, 16]);
      expect(() => net.forward(tf.zeros([1, local + 2, local + 2, 3]), true)).toThrow(
        new RegExp(`multiple of patch ${patch}`),
      );
      net.dispose();
    }
    expect(describeBackbone('vit_tiny', 224)).toBe(
      'ViT-tiny, 28×28-px patches (8×8 = 64 tokens) on 224-px images',
    );
  });
});
