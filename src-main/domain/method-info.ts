import type { MetricSpec } from './metrics';

/** A method as clients see it: the cards, the form (its config as JSON Schema) and `contrastlab methods`. */

export interface PaperInfo {
  title: string;
  authors: string;
  year: number;
  url: string;
}

/** How the method families are grouped on the method cards. */
export const methodFamilies = [
  'memory-bank',
  'end-to-end',
  'momentum-encoder',
  'clustering',
  'no-negatives',
  'distillation',
  'supervised',
] as const;
export type MethodFamily = (typeof methodFamilies)[number];

export interface MethodInfo {
  id: string;
  title: string;
  family: MethodFamily;
  idea: string;
  paper: PaperInfo;
  needsLabels: boolean;
  /** The JSON Schema of the method's config: defaults, ranges and one-line descriptions. */
  config: Record<string, unknown>;
  /** The extra scalars its training step logs, beyond the core keys of domain/metrics.ts, by key. */
  metrics: Record<string, MetricSpec>;
}
