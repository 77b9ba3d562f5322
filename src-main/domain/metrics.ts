/**
 * Metric keys with a meaning every layer shares. Scalar diagnostics are ordinary metric points under
 * these keys, written once per evaluation (step 0 = the random initialisation) by the training loop:
 *   knn_top1, knn_top5           weighted kNN (Wu et al. 2018)
 *   align, uniform               alignment and uniformity of the normalised embedding (Wang & Isola 2020)
 *   embedding_std                std of the L2-normalised embedding per dimension, averaged (SimSiam §4.1)
 *   embedding_dim                its dimension d (healthy std ≈ 1/√d, collapsed → 0)
 *   effective_rank               RankMe (Garrido et al. 2023): exp of the entropy of normalised singular values
 *   pos_sim_mean, neg_sim_mean   mean cosine similarity of positive / negative pairs
 *   probe_top1, probe_top5       linear probe on frozen features (end of run, and on-demand jobs)
 * The embedding is the backbone's output (what kNN and the probe judge), on un-augmented test images for
 * embedding_std / effective_rank, and on two augmented views of a fixed set of images for the rest.
 */
export const diagnosticKeys = [
  'align',
  'uniform',
  'embedding_std',
  'embedding_dim',
  'effective_rank',
  'pos_sim_mean',
  'neg_sim_mean',
  'probe_top1',
  'probe_top5',
] as const;

/**
 * When a run counts as collapsing, for the worker's log warning and the app's banner alike: std·√d of
 * the normalised embedding below this share of its healthy value 1 (SimSiam §4.1), or an effective
 * rank below this (all outputs near a line).
 */
export const collapseThresholds = { stdRatio: 0.2, effectiveRank: 2 } as const;
