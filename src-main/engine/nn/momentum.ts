import * as tf from '@tensorflow/tfjs-core';
import { emaUpdate } from '../backend/kernels/ema-update';
import { Module, copyState } from './module';

/**
 * Momentum (exponential-moving-average) update of a target network from an online network of the same
 * architecture: θ_target ← m·θ_target + (1 − m)·θ_online. This is MoCo's key-encoder update (He et al.
 * 2020, Eq. 2), BYOL's target update ξ ← τξ + (1 − τ)θ (Grill et al. 2020, Sec. 3.1), MoCo v3's momentum
 * encoder and DINO's teacher θ_t ← λθ_t + (1 − λ)θ_s (Caron et al. 2021, Sec. 3.1).
 *
 * Batch-norm running statistics (the modules' buffers) are EMA'd with the same m, not copied. The
 * reference implementations average `parameters()` only and let the target refresh its own statistics
 * by running forward in training mode, which our methods also do (so its statistics stay dominated by
 * its own batches: BN momentum 0.1 per step against 1 − m ≤ 0.01 from the online network). Averaging the
 * buffers as well makes the target an EMA of the online network's whole state, like timm's ModelEmaV2,
 * which keeps its statistics consistent with its weights should a target ever be used in eval mode
 * without such forwards. Copying them instead would make the target normalise with the statistics of
 * different (online) weights, and in DINO with those of the student's small local crops.
 *
 * Written as θ_t + (1 − m)(θ_o − θ_t), so each step moves the target by exactly (1 − m)·(θ_o − θ_t).
 * Called outside the gradient scope, after the optimiser step, for every momentum pair a method declares
 * (MethodInstance.momentumPairs; runner/step.ts).
 */
export function momentumUpdate(online: Module, target: Module, m: number): void {
  if (!(m >= 0 && m <= 1)) throw new RangeError(`momentumUpdate: momentum must be in [0, 1], got ${m}`);
  const source = online.state();
  const dest = target.state();
  if (source.length !== dest.length) throw new Error('momentumUpdate: modules have different structure');
  if (m === 1) return;
  tf.tidy(() => {
    source.forEach((o, i) => {
      const t = dest[i]!;
      if (t.shape.join() !== o.shape.join()) {
        throw new Error(`momentumUpdate: shape mismatch ${t.shape} vs ${o.shape} at ${t.name}`);
      }
      t.assign(m === 0 ? o.clone() : emaUpdate(t, o, 1 - m));
    });
  });
}

/** A target network that starts as an exact copy of the online one (MoCo: θ_k initialised to θ_q). */
export function initTarget<M extends Module>(online: M, target: M): M {
  copyState(online, target);
  return target;
}
