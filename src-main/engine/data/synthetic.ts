import { Rng } from '../util/rng';
import type { Dataset, DatasetOptions, DatasetSource, ImageSplit } from './dataset';
import { MemoryPixels } from './pixels';
import { checkSize } from './sizes';

/**
 * A built-in dataset generated from a seed, so a fresh install can train with no download.
 * Class identity lives in shape and texture only: foreground and background colours are drawn from the
 * same distribution for every class (and are interchangeable), so the expected mean colour is the same
 * for all classes and a classifier on colour statistics alone stays near chance.
 */

const SIZE = 32;
const CHANNELS = 3;
const PIXELS = SIZE * SIZE * CHANNELS;

export const syntheticClassNames = [
  'circle',
  'square',
  'triangle',
  'cross',
  'ring',
  'horizontal stripes',
  'vertical stripes',
  'checkerboard',
  'diagonal line',
  'dots',
];

/** Is the point (u, v), in pixels relative to the shape's centre and already rotated, foreground? */
type Mask = (u: number, v: number) => boolean;

/** Positive modulo, for periodic textures at negative coordinates. */
const mod = (a: number, n: number): number => ((a % n) + n) % n;

function shapeMask(cls: number, r: number, rng: Rng): Mask {
  switch (cls) {
    case 0:
      return (u, v) => u * u + v * v <= r * r;
    case 1: {
      // A square's half-side of 0.85 r gives it roughly the circle's area.
      const s = 0.85 * r;
      return (u, v) => Math.abs(u) <= s && Math.abs(v) <= s;
    }
    case 2: {
      // Equilateral, pointing up, circumradius r: inside the three half-planes.
      const k = Math.sqrt(3);
      return (u, v) => v <= r / 2 && k * u - v <= r && -k * u - v <= r;
    }
    case 3: {
      const t = r * rng.uniform(0.25, 0.4);
      return (u, v) => {
        const au = Math.abs(u);
        const av = Math.abs(v);
        return (au <= t && av <= r) || (av <= t && au <= r);
      };
    }
    case 4: {
      const inner = r * rng.uniform(0.45, 0.65);
      return (u, v) => {
        const d = u * u + v * v;
        return d <= r * r && d >= inner * inner;
      };
    }
    case 5:
    case 6: {
      const period = rng.uniform(4, 8);
      const phase = rng.uniform(0, period);
      const horizontal = cls === 5;
      return (u, v) =>
        Math.abs(u) <= r && Math.abs(v) <= r && mod((horizontal ? v : u) + phase, period) < period / 2;
    }
    case 7: {
      const cell = rng.uniform(3, 5);
      const pu = rng.uniform(0, cell);
      const pv = rng.uniform(0, cell);
      return (u, v) =>
        Math.abs(u) <= r &&
        Math.abs(v) <= r &&
        (Math.floor((u + pu) / cell) + Math.floor((v + pv) / cell)) % 2 === 0;
    }
    case 8: {
      // Either diagonal, so the class is invariant to the horizontal flips used in augmentation.
      const half = rng.uniform(1, 2);
      const sign = rng.chance(0.5) ? 1 : -1;
      const length = 1.2 * r;
      return (u, v) =>
        Math.abs(u - sign * v) / Math.SQRT2 <= half && Math.abs(u + sign * v) / Math.SQRT2 <= length;
    }
    default: {
      const period = rng.uniform(5, 8);
      const dot = period * rng.uniform(0.25, 0.35);
      const pu = rng.uniform(0, period);
      const pv = rng.uniform(0, period);
      return (u, v) => {
        if (Math.abs(u) > r || Math.abs(v) > r) return false;
        const du = mod(u + pu, period) - period / 2;
        const dv = mod(v + pv, period) - period / 2;
        return du * du + dv * dv <= dot * dot;
      };
    }
  }
}

/** HSV → RGB, all components in [0, 1]. */
function hsv(h: number, s: number, v: number): number[] {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

/**
 * Colours: any hue, moderate saturation, a dark and a light tone. One of the pair is drawn dark and
 * the other light, each equally likely to be the shape, so colour carries no class. Tones stay in
 * narrow bands: free RGB colours make each image's colour pair a fingerprint that a contrastive method
 * learns first (it solves instance discrimination without looking at shape), which leaves its
 * features blind to the classes; measured here, SimCLR then stays below its random-init kNN accuracy.
 */
function drawColours(rng: Rng): { fg: number[]; bg: number[] } {
  const dark = hsv(rng.next(), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.3));
  const light = hsv(rng.next(), rng.uniform(0.3, 0.7), rng.uniform(0.75, 0.95));
  return rng.chance(0.5) ? { fg: light, bg: dark } : { fg: dark, bg: light };
}

/** Draws one image of class `cls` into `out` at byte offset `at`. */
function drawImage(out: Uint8Array, at: number, cls: number, rng: Rng): void {
  const { fg, bg } = drawColours(rng);
  // A gentle linear gradient across the background, in a random direction.
  const gradAngle = rng.uniform(0, 2 * Math.PI);
  const grad = [rng.uniform(-0.15, 0.15), rng.uniform(-0.15, 0.15), rng.uniform(-0.15, 0.15)];
  const gx = Math.cos(gradAngle) / SIZE;
  const gy = Math.sin(gradAngle) / SIZE;

  // Textures (stripes, checkerboard, dots) fill a larger patch than the solid shapes.
  const textured = cls >= 5 && cls !== 8;
  const r = textured ? rng.uniform(9, 16) : rng.uniform(6, 11);
  const cx = rng.uniform(r * 0.8, SIZE - r * 0.8);
  const cy = rng.uniform(r * 0.8, SIZE - r * 0.8);
  // A small rotation varies the shapes without turning horizontal stripes into vertical ones.
  const angle = rng.uniform(-0.2, 0.2);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const mask = shapeMask(cls, r, rng);
  const noise = 0.04;

  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      // 2×2 supersampling gives anti-aliased edges.
      let covered = 0;
      for (let s = 0; s < 4; s++) {
        const px = x + 0.25 + 0.5 * (s & 1) - cx;
        const py = y + 0.25 + 0.5 * (s >> 1) - cy;
        if (mask(cos * px + sin * py, -sin * px + cos * py)) covered++;
      }
      const a = covered / 4;
      const t = (x - SIZE / 2) * gx + (y - SIZE / 2) * gy;
      const o = at + (y * SIZE + x) * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) {
        // Triangular noise (sum of two uniforms) is cheaper than Gaussian and just as good here.
        const v = (bg[c]! + grad[c]! * t) * (1 - a) + fg[c]! * a + noise * (rng.next() + rng.next() - 1);
        out[o + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
    }
  }
}

function generateSplit(count: number, rng: Rng): ImageSplit {
  const classes = syntheticClassNames.length;
  // Balanced to within one image per class, in shuffled order.
  const order = rng.permutation(count);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = order[i]! % classes;
  const images = new Uint8Array(count * PIXELS);
  for (let i = 0; i < count; i++) drawImage(images, i * PIXELS, labels[i]!, rng);
  return { pixels: new MemoryPixels(images, count), labels, count };
}

/** Per-channel mean and standard deviation of a split's pixels, scaled to [0, 1]. */
export function channelStats(images: Uint8Array, channels: number): { mean: number[]; std: number[] } {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  for (let i = 0; i < images.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = images[i + c]! / 255;
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
  const n = images.length / channels;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(0, s / n - mean[c]! ** 2)));
  return { mean, std };
}

/** Split sizes when none are asked for. */
const DEFAULT_TRAIN_SIZE = 2000;
const DEFAULT_TEST_SIZE = 500;

export function generateSynthetic(options: DatasetOptions = {}): Dataset {
  const seed = options.seed ?? 0;
  const trainSize = checkSize(options.trainSize, 'trainSize') ?? DEFAULT_TRAIN_SIZE;
  const testSize = checkSize(options.testSize, 'testSize') ?? DEFAULT_TEST_SIZE;
  // Separate streams, so the test split does not change when the training size does.
  const root = new Rng(seed);
  const trainRng = root.fork();
  const testRng = root.fork();
  const train = generateSplit(trainSize, trainRng);
  const test = generateSplit(testSize, testRng);
  const { mean, std } = channelStats((train.pixels as MemoryPixels).bytes, CHANNELS);
  return {
    id: 'synthetic',
    name: 'Synthetic shapes',
    height: SIZE,
    width: SIZE,
    channels: CHANNELS,
    classNames: [...syntheticClassNames],
    train,
    test,
    mean: [mean[0]!, mean[1]!, mean[2]!],
    std: [std[0]!, std[1]!, std[2]!],
  };
}

export const syntheticSource: DatasetSource = {
  id: 'synthetic',
  name: 'Synthetic shapes',
  needsDataDir: false,
  nativeSize: SIZE,
  description:
    '10 classes of 32×32 shapes and textures with random colours, generated from the seed (no download).',
  load: async (options) => generateSynthetic(options),
  inspect: async (options) => ({
    id: 'synthetic',
    name: 'Synthetic shapes',
    trainCount: checkSize(options.trainSize, 'trainSize') ?? DEFAULT_TRAIN_SIZE,
    testCount: checkSize(options.testSize, 'testSize') ?? DEFAULT_TEST_SIZE,
    labelled: true,
    evaluable: true,
    classes: syntheticClassNames.length,
    height: SIZE,
    width: SIZE,
    channels: CHANNELS,
  }),
};
