import * as tf from '@tensorflow/tfjs-core';

// tfjs-core's Node bundle registers no gradients; this side-effect import does (see ../backend/gradients.ts).
import '../backend/gradients';

/**
 * Shared building blocks for the contrastive / self-distillation losses. Everything here is a pure
 * function of tensors and differentiable with tf.grads unless stated otherwise.
 */

/**
 * Added to logits that must not take part in a softmax (e.g. the self-similarity diagonal).
 * Finite on purpose: -Infinity would turn `max - x` and its gradient into NaN.
 */
export const MASK_VALUE = -1e9;

/** torch.nn.functional.normalize's eps: rows with a smaller norm are divided by eps instead. */
const NORM_EPS = 1e-12;

/** L2-normalises along `axis` (default: last), i.e. x / max(‖x‖, eps), like F.normalize. */
export function l2Normalize<T extends tf.Tensor>(x: T, axis = -1): T {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), axis, true);
    // max(‖x‖, eps) = sqrt(max(‖x‖², eps²)); clamping the square keeps sqrt's gradient finite at 0.
    return tf.div(x, tf.sqrt(tf.maximum(sq, NORM_EPS * NORM_EPS))) as T;
  });
}

const stopGradientOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: x.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/**
 * Identity in the forward pass, zero gradient in the backward pass (torch's `.detach()`).
 * The input stays connected to the tape, so tf.grads w.r.t. it returns zeros instead of throwing.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

/** Row-wise dot product of two [N,D] matrices → [N]. */
export function rowDot(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(a, b), 1);
}

/** Row-wise cosine similarity of two [N,D] matrices → [N]. */
export function rowCosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => rowDot(l2Normalize(a), l2Normalize(b)));
}

/** Replaces the diagonal of a square [M,M] logit matrix by MASK_VALUE (gradient there is zero). */
export function maskDiagonal(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = logits.shape[0];
    const eye = tf.cast(tf.eye(m), 'bool');
    return tf.where(eye, tf.fill([m, m], MASK_VALUE), logits);
  });
}

/** Integer targets as an int32 tensor. */
function toTargets(targets: tf.Tensor1D | ArrayLike<number>): tf.Tensor1D {
  if (targets instanceof tf.Tensor) return tf.cast(targets, 'int32');
  return tf.tensor1d(Array.from(targets), 'int32');
}

/**
 * Mean over rows of −log softmax(logits)[row, target[row]]. `logSoftmax` subtracts the row max,
 * so large logits (small temperatures) stay finite.
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D | ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => {
    const t = toTargets(targets);
    const logp = tf.logSoftmax(logits, 1);
    const picked = tf.sum(tf.mul(tf.oneHot(t, logits.shape[1]), logp), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** Mean over rows of −Σ_k p[row,k] log softmax(logits)[row,k] (soft targets, e.g. SwAV codes, DINO teacher). */
export function softCrossEntropy(targetProbs: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(
    () => tf.neg(tf.mean(tf.sum(tf.mul(targetProbs, tf.logSoftmax(logits, 1)), 1))) as tf.Scalar,
  );
}

/** [0, 1, …, n−1] as int32: the "target i" of in-batch InfoNCE losses. */
export function arangeTargets(n: number): tf.Tensor1D {
  return tf.range(0, n, 1, 'int32') as tf.Tensor1D;
}

/**
 * Mean supervised-contrastive term over anchors of one similarity matrix (Khosla et al. 2020, Eq. 2,
 * "L_out"): for each anchor a, −mean over positives p of log(exp(s_ap) / Σ_{j≠a} exp(s_aj)).
 * `positives` is a 0/1 [M,M] float mask with a zero diagonal; anchors without positives
 * contribute 0 (as in the reference SupConLoss, which clamps the positive count to 1).
 */
export function supervisedContrastiveTerm(scaledSim: tf.Tensor2D, positives: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(maskDiagonal(scaledSim), 1);
    const count = tf.maximum(tf.sum(positives, 1), 1);
    return tf.neg(tf.div(tf.sum(tf.mul(positives, logp), 1), count)) as tf.Tensor1D;
  });
}

/** 0/1 float [M,M] mask of pairs sharing a label, excluding the diagonal. */
export function sameLabelMask(labels: tf.Tensor1D | ArrayLike<number>): tf.Tensor2D {
  return tf.tidy(() => {
    const y = toTargets(labels);
    const m = y.shape[0];
    const same = tf.equal(tf.reshape(y, [m, 1]), tf.reshape(y, [1, m]));
    return tf.mul(tf.cast(same, 'float32'), tf.sub(1, tf.eye(m))) as tf.Tensor2D;
  });
}
