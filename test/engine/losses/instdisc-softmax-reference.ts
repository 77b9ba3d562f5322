/** A float64 reference of InstDisc's exact-softmax loss, for the loss's and the method's tests. */
import { Rng } from '../../../src-main/engine/util/rng';

/** Unit rows of a seeded standard-normal [rows, dim] draw, as plain arrays. */
export function unitRows(rows: number, dim: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => {
    const r = Array.from({ length: dim }, () => rng.normal());
    const norm = Math.hypot(...r);
    return r.map((x) => x / norm);
  });
}

export const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const normalize = (r: number[]) => r.map((x) => x / Math.hypot(...r));

/**
 * The exact-softmax instance discrimination loss (Wu et al. 2018, Eq. 2, with the proximal term of
 * Sec. 3.3): L = mean_b [logsumexp_j(v̂_b·bank_j/τ) − v̂_b·bank_i/τ + λ‖v̂_b − bank_i‖²], its gradient
 * w.r.t. the un-normalised v, and the bank rows normalize(m·bank_i + (1−m)·v̂_b) of Sec. 3.2.
 */
export function instDiscSoftmaxReference(
  v: number[][],
  bank: number[][],
  index: number[],
  tau: number,
  lambda: number,
  m = 0.5,
) {
  const n = v.length;
  let loss = 0;
  const grad = v.map((row, b) => {
    const norm = Math.hypot(...row);
    const vn = row.map((x) => x / norm);
    const own = bank[index[b]!]!;
    const logits = bank.map((r) => dot(vn, r) / tau);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    const p = logits.map((l) => Math.exp(l - lse));
    loss += (lse - dot(vn, own) / tau + lambda * vn.reduce((s, x, d) => s + (x - own[d]!) ** 2, 0)) / n;
    // dL/dv̂, then through v̂ = v/‖v‖: (I − v̂v̂ᵀ) g / ‖v‖.
    const g = vn.map(
      (x, d) =>
        (bank.reduce((s, r, j) => s + p[j]! * r[d]!, 0) / tau - own[d]! / tau + 2 * lambda * (x - own[d]!)) /
        n,
    );
    const gv = dot(vn, g);
    return g.map((x, d) => (x - vn[d]! * gv) / norm);
  });
  const updated = v.map((row, b) =>
    normalize(bank[index[b]!]!.map((x, d) => m * x + (1 - m) * normalize(row)[d]!)),
  );
  return { loss, grad, updated };
}
