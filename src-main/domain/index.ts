/**
 * The domain floor: the types and constants every layer shares (runs, metric points and the metric
 * registry, datasets, view plans, backends, evaluation results, error kinds). It imports nothing of the project, so any layer
 * may import it (checked by dependency-cruiser, .dependency-cruiser.cjs).
 */
export * from './augmentation';
export * from './backend';
export * from './checkpoint';
export * from './comparability';
export * from './dataset';
export * from './dataset-entry';
export * from './errors';
export * from './evaluation';
export * from './evaluation-card';
export * from './executor';
export * from './grid';
export * from './humanise';
export * from './job';
export * from './learning-rate';
export * from './method-info';
export * from './metric-point';
export * from './metrics';
export * from './published-references';
export * from './run';
export * from './run-phase';
export * from './run-result';
export * from './run-views';
export * from './run-status';
export * from './seed-groups';
export * from './settings';
