import { UMAP } from 'umap-js';

/** A small seeded PRNG (mulberry32), so the same embedding gives the same map every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 2-D UMAP (McInnes et al. 2018) of feature rows with umap-js. `onProgress` gets the fraction of
 * optimisation epochs done; the caller runs this in a worker, so it may take seconds.
 */
export function umap2d(
  rows: ArrayLike<number>[],
  onProgress: (fraction: number) => void = () => undefined,
  seed = 1,
): [number, number][] {
  const n = rows.length;
  if (n === 0) return [];
  // UMAP needs more points than neighbours; with a handful, lay them out on a line instead.
  if (n < 4) return rows.map((_, i) => [i, 0]);
  const data = rows.map((r) => Array.from(r));
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, n - 1),
    minDist: 0.1,
    random: seededRandom(seed),
  });
  const epochs = umap.initializeFit(data);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) onProgress(e / epochs);
  }
  onProgress(1);
  return umap.getEmbedding().map((p) => [p[0]!, p[1]!]);
}
