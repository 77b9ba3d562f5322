import { describe, expect, it } from 'vitest';
import { collapseCheck } from '../../../src-main/domain';
import { formatBytes } from '../../../src-renderer/src/lib/bytes';
import {
  healthyStd,
  histogramCentres,
  histogramMean,
  niceRange,
} from '../../../src-renderer/src/lib/diagnostics';
import { decodeFeatures } from '../../../src-renderer/src/lib/features';
import {
  decodeBase64,
  tilePixels,
  tileToDataUrl,
  type TileCanvas,
} from '../../../src-renderer/src/lib/tiles';
import { seededRandom, umap2d } from '../../../src-renderer/src/lib/umap';

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A stand-in canvas that keeps what was painted and "encodes" it as the bytes in base64. */
function fakeCanvas() {
  const state = { painted: null as Uint8ClampedArray | null, at: [-1, -1] };
  const canvas: TileCanvas & { state: typeof state } = {
    width: 0,
    height: 0,
    state,
    getContext: () => ({
      createImageData: (w: number, h: number) => ({ data: new Uint8ClampedArray(w * h * 4) }),
      putImageData: (image: never, x: number, y: number) => {
        state.painted = (image as { data: Uint8ClampedArray }).data;
        state.at = [x, y];
      },
    }),
    toDataURL: (type?: string) => `data:${type};base64,${base64(new Uint8Array(state.painted!))}`,
  };
  return canvas;
}

describe('image tiles', () => {
  const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 256);
  const tile = { width: 2, height: 3, rgba: base64(pixels) };

  it('decodes base64 to the same bytes', () => {
    expect([...decodeBase64(tile.rgba)]).toEqual([...pixels]);
  });

  it('paints the RGBA bytes on a canvas of the tile size and returns its PNG data URL', () => {
    const canvas = fakeCanvas();
    const url = tileToDataUrl(tile, () => canvas);
    expect([canvas.width, canvas.height]).toEqual([2, 3]);
    expect(canvas.state.at).toEqual([0, 0]);
    expect([...canvas.state.painted!]).toEqual([...pixels]);
    expect(url).toBe(`data:image/png;base64,${tile.rgba}`);
  });

  it('rejects a tile whose bytes do not match its size', () => {
    expect(() => tilePixels({ width: 3, height: 3, rgba: tile.rgba })).toThrow(/needs 36 bytes, got 24/);
    expect(() => tileToDataUrl({ width: 0, height: 0, rgba: '' }, fakeCanvas)).toThrow();
  });
});

describe('embedding features', () => {
  it('decodes float32 little-endian rows', () => {
    const values = [1.5, -2, 0.25, 3e-5, -0.125, 7];
    const buf = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
    const rows = decodeFeatures(buf.toString('base64'), 2, 3);
    expect(rows).toHaveLength(2);
    expect([...rows[0]!]).toEqual([1.5, -2, 0.25].map(Math.fround));
    expect([...rows[1]!]).toEqual([3e-5, -0.125, 7].map(Math.fround));
    expect(() => decodeFeatures(buf.toString('base64'), 3, 3)).toThrow(/need 36 bytes, got 24/);
  });
});

describe('collapse diagnostics', () => {
  it('takes 1/√d as the healthy std', () => {
    expect(healthyStd(64)).toBeCloseTo(0.125, 12);
  });

  it('flags a collapsed embedding by its std and by its effective rank', () => {
    // d = 100: healthy std 0.1; 0.015 is 0.15 of it.
    const std = collapseCheck(0.015, 100, 40);
    expect(std.collapsing).toBe(true);
    expect(std.reasons).toEqual(['std']);
    expect(std.stdRatio).toBeCloseTo(0.15, 12);
    const rank = collapseCheck(0.09, 100, 1.3);
    expect(rank.collapsing).toBe(true);
    expect(rank.reasons).toEqual(['rank']);
    expect(collapseCheck(0.001, 100, 1).reasons).toEqual(['std', 'rank']);
  });

  it('does not flag a healthy embedding or missing values', () => {
    expect(collapseCheck(0.09, 100, 30).collapsing).toBe(false);
    // Exactly at the thresholds is not below them.
    expect(collapseCheck(0.02, 100, 2).collapsing).toBe(false);
    const none = collapseCheck(null, undefined, null);
    expect(none).toEqual({ collapsing: false, stdRatio: null, rank: null, reasons: [] });
    expect(collapseCheck(0.001, null, null).collapsing).toBe(false);
  });
});

describe('similarity histograms', () => {
  it('puts bin centres between the edges min + i·(max − min)/bins', () => {
    expect(histogramCentres({ min: -1, max: 1, positive: [0, 0, 0, 0] })).toEqual([-0.75, -0.25, 0.25, 0.75]);
  });

  it('gives the mean the fractions imply', () => {
    const centres = [-0.75, -0.25, 0.25, 0.75];
    expect(histogramMean([0, 0, 0.5, 0.5], centres)).toBeCloseTo(0.5, 12);
    expect(histogramMean([0.25, 0.25, 0.25, 0.25], centres)).toBeCloseTo(0, 12);
    expect(histogramMean([0, 0, 0, 0], centres)).toBeNull();
  });
});

describe('chart ranges', () => {
  it('rounds the ends to steps of 1, 2 or 5 × 10ⁿ that cover every value', () => {
    expect(niceRange([0.034, 0.072, 0.081, 0.125])).toEqual({ min: 0.02, max: 0.14, step: 0.02 });
    expect(niceRange([-0.39, -1.33])).toEqual({ min: -1.4, max: -0.2, step: 0.2 });
    expect(niceRange([15.3, 22.4, 2])).toEqual({ min: 0, max: 25, step: 5 });
  });

  it('clamps to limits and widens a single value', () => {
    expect(niceRange([0.36, 0.9], [0, 1])).toEqual({ min: 0.2, max: 1, step: 0.2 });
    expect(niceRange([-0.05, 1.04], [0, 1])).toEqual({ min: 0, max: 1, step: 0.5 });
    expect(niceRange([0.981, 0.993], [0, 1])).toEqual({ min: 0.98, max: 0.995, step: 0.005 });
    const one = niceRange([3]);
    expect(one.min).toBeLessThan(3);
    expect(one.max).toBeGreaterThan(3);
  });
});

describe('sizes', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(45.25 * 1024)).toBe('45.3 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.00 MiB');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('UMAP projection', () => {
  it('is deterministic for a seed', () => {
    const r1 = seededRandom(7);
    const r2 = seededRandom(7);
    const a = Array.from({ length: 5 }, r1);
    expect(Array.from({ length: 5 }, r2)).toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('keeps two well-separated clusters apart in 2-D', () => {
    const random = seededRandom(3);
    const dim = 16;
    const rows: Float32Array[] = [];
    const cluster: number[] = [];
    for (let i = 0; i < 80; i++) {
      const c = i % 2;
      rows.push(Float32Array.from({ length: dim }, (_, j) => (j === c ? 5 : 0) + random() * 0.3));
      cluster.push(c);
    }
    const progress: number[] = [];
    const xy = umap2d(rows, (f) => progress.push(f));
    expect(xy).toHaveLength(80);
    expect(progress.at(-1)).toBe(1);
    const centre = (c: number) => {
      const pts = xy.filter((_, i) => cluster[i] === c);
      return [0, 1].map((k) => pts.reduce((s, p) => s + p[k]!, 0) / pts.length);
    };
    const spread = (c: number) => {
      const [cx, cy] = centre(c);
      const pts = xy.filter((_, i) => cluster[i] === c);
      return Math.max(...pts.map(([x, y]) => Math.hypot(x - cx!, y - cy!)));
    };
    const [ax, ay] = centre(0);
    const [bx, by] = centre(1);
    // Every point is nearer its own cluster's centre than the two centres are to each other.
    expect(Math.hypot(ax! - bx!, ay! - by!)).toBeGreaterThan(Math.max(spread(0), spread(1)));
  });

  it('lays out a handful of points without UMAP', () => {
    expect(umap2d([Float32Array.of(1), Float32Array.of(2)])).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });
});
