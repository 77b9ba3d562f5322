import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../domain';
import { Backbone } from './backbone';
import { Module } from './module';
import type { Rng } from '../util/rng';

/**
 * A small Vision Transformer (Dosovitskiy et al. 2021) in our own Module system, for MoCo v3 and DINO:
 * non-overlapping p×p patches linearly embedded, a learnable [CLS] token, position embeddings, pre-norm
 * transformer blocks (LayerNorm → multi-head self-attention → residual, LayerNorm → MLP → residual), a
 * final LayerNorm, and the [CLS] token as the feature vector. The patch side follows the image side
 * (vitPatchSize), so every resolution gives about 64 tokens.
 */

/**
 * Patches per side a ViT's grid may have, in order of preference: 8 (64 tokens), then 7 (49) and 9 (81),
 * the grids nearest 64 tokens for sides that are not multiples of 8.
 */
const VIT_GRID_SIDES = [8, 7, 9] as const;

/**
 * The patch side for square images of `imageSize` pixels: imageSize / g for the first grid side g of
 * 8, 7, 9 that divides it. A multiple of 8 gives an 8×8 grid of 64 tokens, as ViT-tiny's 4-px patches on
 * 32-px images do: 2 px at 16, 8 at 64, 12 at 96, 16 at 128, 28 at 224. Compute grows with the square
 * of the token count, so the grid stays fixed while the resolution changes; a side that splits into
 * none of those grids is refused with a ConfigError naming sizes that work.
 */
export function vitPatchSize(imageSize: number): number {
  const side = Number.isInteger(imageSize)
    ? VIT_GRID_SIDES.find((g) => imageSize >= g && imageSize % g === 0)
    : undefined;
  if (side === undefined) {
    const lower = Math.max(8, Math.floor(imageSize / 8) * 8);
    throw new ConfigError(
      `ViT: a ${imageSize}-px image does not split into an 8×8, 7×7 or 9×9 grid of patches (about 64 tokens); ` +
        `choose a multiple of 8, such as ${lower} or ${lower + 8} px`,
    );
  }
  return imageSize / side;
}

export type PositionEmbedding = 'learned' | 'sincos';

export interface VitOptions {
  /** Side of the square training images; the position embeddings are laid out on its patch grid. */
  imageSize: number;
  patchSize: number;
  inChannels: number;
  /** Token width D. */
  dim: number;
  depth: number;
  heads: number;
  /** MLP hidden width as a multiple of D (ViT: 4). */
  mlpRatio: number;
  /**
   * 'learned' (ViT, DINO: a parameter initialised N(0, 0.02²)) or 'sincos' (MoCo v3: fixed 2-D
   * sine-cosine embeddings, Chen, Xie & He 2021, Sec. 4.1 and their vits.py).
   */
  posEmbed: PositionEmbedding;
}

/** Truncated normal N(0, std²) cut at ±2 std, timm's trunc_normal_(std=0.02) for ViT weights. */
function truncNormal(shape: number[], std: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = rng.normal();
    while (Math.abs(v) > 2) v = rng.normal();
    data[i] = v * std;
  }
  return tf.tensor(data, shape);
}

/** GELU, the exact form x·Φ(x) = ½x(1 + erf(x/√2)) (Hendrycks & Gimpel 2016), as torch's nn.GELU. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** A linear map applied to the last axis of a tensor of any rank, ViT-initialised (trunc normal 0.02, zero bias). */
export class Dense extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable | null;

  constructor(
    private readonly inFeatures: number,
    private readonly outFeatures: number,
    rng: Rng,
    bias = true,
    std = 0.02,
  ) {
    super();
    this.weight = this.addParam('weight', truncNormal([inFeatures, outFeatures], std, rng));
    this.bias = bias ? this.addParam('bias', tf.zeros([outFeatures])) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const lead = x.shape.slice(0, -1);
    const flat = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
    let y: tf.Tensor = tf.matMul(flat, this.weight as tf.Tensor2D);
    if (this.bias) y = tf.add(y, this.bias);
    return tf.reshape(y, [...lead, this.outFeatures]);
  }
}

/** Layer normalisation over the last axis (Ba et al. 2016); eps 1e-6 as timm's ViT. */
export class LayerNorm extends Module {
  private readonly gamma: tf.Variable;
  private readonly beta: tf.Variable;

  constructor(
    dim: number,
    private readonly eps = 1e-6,
  ) {
    super();
    // Named gamma/beta so the optimisers exempt them from weight decay (isDecayExempt).
    this.gamma = this.addParam('gamma', tf.ones([dim]));
    this.beta = this.addParam('beta', tf.zeros([dim]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(xhat, this.gamma), this.beta);
    });
  }
}

/**
 * Multi-head self-attention (Vaswani et al. 2017, Eq. 1 and Sec. 3.2.2): per head, softmax(QKᵀ/√d_h)V,
 * the heads concatenated and projected. The qkv weight [D, 3D] has columns [q | k | v], each head-major
 * (as torch's reshape(N, T, 3, H, d_h)); the projection weight [D, D] has rows head-major.
 */
export class MultiHeadAttention extends Module {
  private readonly qkvWeight: tf.Variable;
  private readonly qkvBias: tf.Variable;
  private readonly projWeight: tf.Variable;
  private readonly projBias: tf.Variable;
  private readonly headDim: number;

  constructor(
    private readonly dim: number,
    private readonly heads: number,
    rng: Rng,
  ) {
    super();
    if (dim % heads !== 0) throw new Error(`attention: dim ${dim} is not divisible by ${heads} heads`);
    this.headDim = dim / heads;
    this.qkvWeight = this.addParam('qkv.weight', truncNormal([dim, 3 * dim], 0.02, rng));
    this.qkvBias = this.addParam('qkv.bias', tf.zeros([3 * dim]));
    this.projWeight = this.addParam('proj.weight', truncNormal([dim, dim], 0.02, rng));
    this.projBias = this.addParam('proj.bias', tf.zeros([dim]));
  }

  /**
   * Each head's q, k, v come from column slices of the (small) weights rather than slices of the
   * activations, and the output projection is a sum over heads of head_j · W_proj[rows of j]: on wasm,
   * splitting or concatenating [N·T, D] activations along their last axis costs more than the matMuls.
   */
  forward(x: tf.Tensor): tf.Tensor {
    const [n, t] = x.shape as [number, number, number];
    const { dim, heads, headDim: hd } = this;
    const x2 = tf.reshape(x, [n * t, dim]) as tf.Tensor2D;
    const project = (block: number) => {
      const w = tf.slice(this.qkvWeight, [0, block * hd], [dim, hd]) as tf.Tensor2D;
      const b = tf.slice(this.qkvBias, [block * hd], [hd]);
      return tf.reshape(tf.add(tf.matMul(x2, w), b), [n, t, hd]) as tf.Tensor3D;
    };
    const outputs: tf.Tensor2D[] = [];
    for (let j = 0; j < heads; j++) {
      const q = project(j);
      const k = project(heads + j);
      const v = project(2 * heads + j);
      const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd));
      const head = tf.reshape(tf.matMul(tf.softmax(scores, -1) as tf.Tensor3D, v), [
        n * t,
        hd,
      ]) as tf.Tensor2D;
      outputs.push(tf.matMul(head, tf.slice(this.projWeight, [j * hd, 0], [hd, dim]) as tf.Tensor2D));
    }
    const out = tf.add(outputs.length === 1 ? outputs[0]! : tf.addN(outputs), this.projBias);
    return tf.reshape(out, [n, t, dim]);
  }
}

/** The transformer's position-wise MLP: Dense → GELU → Dense. */
export class Mlp extends Module {
  private readonly fc1: Dense;
  private readonly fc2: Dense;

  constructor(dim: number, hidden: number, out: number, rng: Rng) {
    super();
    this.fc1 = this.addModule('fc1', new Dense(dim, hidden, rng));
    this.fc2 = this.addModule('fc2', new Dense(hidden, out, rng));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.fc2.forward(gelu(this.fc1.forward(x)));
  }
}

/** Pre-norm transformer block: x + MSA(LN(x)), then x + MLP(LN(x)). */
export class TransformerBlock extends Module {
  private readonly norm1: LayerNorm;
  private readonly attn: MultiHeadAttention;
  private readonly norm2: LayerNorm;
  private readonly mlp: Mlp;

  constructor(dim: number, heads: number, mlpRatio: number, rng: Rng) {
    super();
    this.norm1 = this.addModule('norm1', new LayerNorm(dim));
    this.attn = this.addModule('attn', new MultiHeadAttention(dim, heads, rng));
    this.norm2 = this.addModule('norm2', new LayerNorm(dim));
    this.mlp = this.addModule('mlp', new Mlp(dim, Math.round(dim * mlpRatio), dim, rng));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = tf.add(x, this.attn.forward(this.norm1.forward(x)));
    return tf.add(y, this.mlp.forward(this.norm2.forward(y)));
  }
}

/**
 * Fixed 2-D sine-cosine position embeddings [gh·gw, D] (MoCo v3's build_2d_sincos_position_embedding):
 * a quarter of the channels each for sin(x·ω), cos(x·ω), sin(y·ω), cos(y·ω), ω_k = 1/10000^(k/(D/4)).
 */
export function sinCos2d(gh: number, gw: number, dim: number): Float32Array {
  if (dim % 4 !== 0) throw new Error(`sin-cos position embedding needs dim divisible by 4, got ${dim}`);
  const quarter = dim / 4;
  const out = new Float32Array(gh * gw * dim);
  for (let i = 0; i < gh; i++) {
    for (let j = 0; j < gw; j++) {
      const row = (i * gw + j) * dim;
      for (let k = 0; k < quarter; k++) {
        const omega = 1 / 10000 ** (k / quarter);
        out[row + k] = Math.sin(j * omega);
        out[row + quarter + k] = Math.cos(j * omega);
        out[row + 2 * quarter + k] = Math.sin(i * omega);
        out[row + 3 * quarter + k] = Math.cos(i * omega);
      }
    }
  }
  return out;
}

/** 1-D linear interpolation weights [to, from] with half-pixel centres (align_corners=False). */
function linearWeights(from: number, to: number): Float32Array {
  const w = new Float32Array(to * from);
  for (let o = 0; o < to; o++) {
    const src = Math.min(Math.max((o + 0.5) * (from / to) - 0.5, 0), from - 1);
    const lo = Math.floor(src);
    const hi = Math.min(lo + 1, from - 1);
    const f = src - lo;
    w[o * from + lo] += 1 - f;
    w[o * from + hi] += f;
  }
  return w;
}

/**
 * The bilinear resampling of a [gh·gw, D] grid of embeddings to [th·tw, D] as one matrix [th·tw, gh·gw],
 * so that resampling is a matMul and differentiable on every backend. DINO interpolates its position
 * embeddings the same way for crops of another size (local crops), there bicubically.
 */
export function gridInterpolationMatrix(gh: number, gw: number, th: number, tw: number): Float32Array {
  const wy = linearWeights(gh, th);
  const wx = linearWeights(gw, tw);
  const m = new Float32Array(th * tw * gh * gw);
  for (let i = 0; i < th; i++)
    for (let j = 0; j < tw; j++)
      for (let a = 0; a < gh; a++) {
        const fy = wy[i * gh + a]!;
        if (fy === 0) continue;
        for (let b = 0; b < gw; b++) m[(i * tw + j) * gh * gw + a * gw + b] = fy * wx[j * gw + b]!;
      }
  return m;
}

/** ViT over NHWC images → [N, D] (the final-norm [CLS] token). */
export class VisionTransformer extends Backbone {
  readonly outputDim: number;
  private readonly patchEmbed: Dense;
  private readonly clsToken: tf.Variable;
  /** Learned [1 + G, D] (cls position first) or null for fixed sin-cos. */
  private readonly posEmbed: tf.Variable | null;
  /** Fixed sin-cos [1 + G, D] (cls position zero), a buffer, or null. */
  private readonly fixedPos: tf.Variable | null;
  private readonly blocks: TransformerBlock[] = [];
  private readonly norm: LayerNorm;
  private readonly grid: number;

  constructor(
    readonly options: VitOptions,
    rng: Rng,
  ) {
    super();
    const { imageSize, patchSize, inChannels, dim, depth, heads, mlpRatio } = options;
    if (imageSize % patchSize !== 0)
      throw new Error(`ViT: image size ${imageSize} is not a multiple of the patch size ${patchSize}`);
    this.grid = imageSize / patchSize;
    const tokens = this.grid * this.grid;
    this.outputDim = dim;
    // The patch embedding is a p×p stride-p convolution, i.e. a linear map of each flattened patch.
    this.patchEmbed = this.addModule('patch_embed', new Dense(patchSize * patchSize * inChannels, dim, rng));
    this.clsToken = this.addParam('cls_token', truncNormal([1, 1, dim], 0.02, rng));
    if (options.posEmbed === 'learned') {
      this.posEmbed = this.addParam('pos_embed', truncNormal([1 + tokens, dim], 0.02, rng));
      this.fixedPos = null;
    } else {
      this.posEmbed = null;
      const table = new Float32Array((1 + tokens) * dim);
      table.set(sinCos2d(this.grid, this.grid, dim), dim);
      // A buffer, not a parameter: copies and momentum updates carry it along unchanged.
      this.fixedPos = this.addBuffer('pos_embed_fixed', tf.tensor2d(table, [1 + tokens, dim]));
    }
    for (let i = 0; i < depth; i++) {
      this.blocks.push(this.addModule(`blocks.${i}`, new TransformerBlock(dim, heads, mlpRatio, rng)));
    }
    this.norm = this.addModule('norm', new LayerNorm(dim));
  }

  /** The patch-embedding parameters (MoCo v3 freezes this random projection, Sec. 4.1). */
  patchEmbedParameters(): tf.Variable[] {
    return this.patchEmbed.parameters();
  }

  /** [N, H, W, C] → [N, (H/p)(W/p), p·p·C], patches in row-major order. */
  private patchify(x: tf.Tensor4D): tf.Tensor3D {
    const [n, h, w, c] = x.shape;
    const p = this.options.patchSize;
    if (h % p !== 0 || w % p !== 0) throw new Error(`ViT: input ${h}×${w} is not a multiple of patch ${p}`);
    const gh = h / p;
    const gw = w / p;
    const blocks = tf.reshape(x, [n * gh, p, gw, p * c]);
    return tf.reshape(tf.transpose(blocks, [0, 2, 1, 3]), [n, gh * gw, p * p * c]) as tf.Tensor3D;
  }

  /** Position embeddings for a gh×gw grid: the table itself, or its bilinear resampling. */
  private positions(gh: number, gw: number): tf.Tensor2D {
    const table = (this.posEmbed ?? this.fixedPos!) as tf.Tensor2D;
    if (gh === this.grid && gw === this.grid) return table;
    const dim = this.outputDim;
    const m = tf.tensor2d(gridInterpolationMatrix(this.grid, this.grid, gh, gw), [gh * gw, this.grid ** 2]);
    const cls = tf.slice(table, [0, 0], [1, dim]);
    const patches = tf.slice(table, [1, 0], [this.grid * this.grid, dim]);
    return tf.concat([cls, tf.matMul(m, patches)], 0) as tf.Tensor2D;
  }

  /** No dropout and no batch norm: training and evaluation compute the same function. */
  forward(x: tf.Tensor, _training: boolean): tf.Tensor {
    const [n, h, w] = x.shape as [number, number, number, number];
    const p = this.options.patchSize;
    const tokens = this.patchEmbed.forward(this.patchify(x as tf.Tensor4D));
    const cls = tf.tile(this.clsToken, [n, 1, 1]);
    let y = tf.add(tf.concat([cls, tokens], 1), this.positions(h / p, w / p));
    for (const block of this.blocks) y = block.forward(y);
    y = this.norm.forward(y);
    return tf.reshape(tf.slice(y, [0, 0, 0], [n, 1, this.outputDim]), [n, this.outputDim]);
  }
}

/**
 * ViT-tiny for ContrastLab: the patch side of vitPatchSize (4 px on 32-px images: 8×8 = 64 tokens +
 * [CLS]; smaller crops such as DINO's local ones give fewer tokens of the same patch side), token width
 * D = 4·width (width 48 gives ViT-Tiny's 192), 6 blocks (ViT-Tiny: 12), heads of about 32 channels
 * (ViT-Tiny: 3 heads of 64), MLP ratio 4.
 */
export function vitTiny(
  width: number,
  rng: Rng,
  inChannels = 3,
  imageSize = 32,
  posEmbed: PositionEmbedding = 'learned',
): VisionTransformer {
  const dim = 4 * width;
  let heads = Math.min(12, Math.max(2, Math.round(dim / 32)));
  while (dim % heads !== 0) heads--;
  return new VisionTransformer(
    {
      imageSize,
      patchSize: vitPatchSize(imageSize),
      inChannels,
      dim,
      depth: 6,
      heads,
      mlpRatio: 4,
      posEmbed,
    },
    rng,
  );
}
