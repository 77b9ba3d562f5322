/** Runs: what a client asks for, what the store keeps, and how a run moves through its statuses. */
import type { BackendPreference } from './backend';
import type { DatasetSpec } from './dataset';
import type { ExecutorId, SlurmJob, SlurmProfile } from './executor';
import type { RunPhase } from './run-phase';
import type { RunStatus } from './run-status';

/** What a client sends to start a run; `config` may be partial: the method's schema fills defaults. */
export interface CreateRunInput {
  method: string;
  dataset: DatasetSpec;
  config: Record<string, unknown>;
  name?: string;
  tags?: string[];
  backend?: BackendPreference;
  /** Where the run trains (default 'local'). */
  executor?: ExecutorId;
  /** For a Slurm run: changes to the saved cluster profile for this submission (and its resumes). */
  slurm?: Partial<SlurmProfile>;
}

/** A resume of a run: when, and from which checkpoint's step. */
export interface RunResume {
  /** ISO time the resume was asked for. */
  at: string;
  fromStep: number;
  fromEpoch: number;
  checkpointId: number | null;
  /** The run's epochs before and after the resume (more after when a completed run was continued). */
  epochsBefore: number;
  epochs: number;
}

/** How to resume a run: from which checkpoint (default: its latest usable one), for how many more epochs. */
export interface ResumeRunInput {
  checkpointId?: number;
  /** Epochs to add: required to continue a completed run, optional otherwise. */
  moreEpochs?: number;
  /** For a Slurm run: changes to the cluster profile for the resumed job (e.g. a longer time limit). */
  slurm?: Partial<SlurmProfile>;
}

export interface Run {
  id: number;
  name: string;
  method: string;
  status: RunStatus;
  dataset: DatasetSpec;
  backendPreference: BackendPreference;
  /** Where the run trains: a local worker process, or a Slurm job. */
  executor: ExecutorId;
  /** The run's Slurm job as last seen (null for a local run). */
  slurm: SlurmJob | null;
  /** The tfjs backend actually used and the device, once the worker has started. */
  backend: string | null;
  device: string | null;
  config: Record<string, unknown>;
  tags: string[];
  notes: string;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** Every resume of the run, oldest first. */
  resumes: RunResume[];
  /** Last value of each metric key: the value at its highest step (the latest written at that step). */
  summary: Record<string, number>;
  /**
   * The step of each summary value, so a client applying live points keeps the same rule: a point
   * replaces a value only at the same or a later step (a probe of an early checkpoint is not the end).
   */
  summarySteps: Record<string, number>;
}

/** The parts of a run a user may edit after it was created. */
export interface RunPatch {
  name?: string;
  tags?: string[];
  notes?: string;
}

/** Where a running run is, reported after every step (not stored). */
export interface RunProgress {
  runId: number;
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  loss: number | null;
  imagesPerSecond: number | null;
  /**
   * Seconds left until the run ends: the training steps left at this run's pace, the evaluations left
   * and the final linear probe (runner/callbacks/progress.ts); null until a pace is measured.
   */
  etaSeconds: number | null;
  /** What the worker is doing now. */
  phase: RunPhase;
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogLine {
  runId: number;
  time: number;
  level: LogLevel;
  message: string;
}
