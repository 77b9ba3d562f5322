import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochStart, StepEnd, TrainingCallback, TrainingRun } from './training-callback';

/** Seconds a sample spans at least (the last one of an epoch may be shorter), as the throughput's. */
const WINDOW_SECONDS = 2;

const MiB = 1024 * 1024;

/**
 * The WebAssembly heap of the wasm backend, in bytes: it only grows, so it is the worker's real footprint
 * for tensors there (tf.memory() counts the live tensors only). Null on another backend.
 */
function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? null;
}

/**
 * What the machine spends on the run, sampled every two seconds of training and at the end of every
 * epoch: `cpu_percent` (the worker's CPU time over the window's wall time, as a share of all cores, so
 * 100% is every core busy), `step_ms` (wall time per step, input and optimisation together),
 * `worker_rss_mb` (resident memory now; `worker_peak_mb` is its peak), `tensor_mb` (the bytes of live
 * tensors: a steady rise is a leak) and `wasm_heap_mb` on the wasm backend. Evaluation is not in the
 * windows: they restart with every epoch.
 */
export class SystemMetricsCallback implements TrainingCallback {
  private readonly cores = os.availableParallelism();
  private steps = 0;
  private since = performance.now();
  private cpu = process.cpuUsage();

  onEpochStart(_run: TrainingRun, _start: EpochStart): void {
    this.restart();
  }

  onStepEnd(run: TrainingRun, end: StepEnd): void {
    this.steps++;
    const elapsedMs = performance.now() - this.since;
    if (elapsedMs < WINDOW_SECONDS * 1000 && end.batch !== run.stepsPerEpoch - 1) return;
    const cpu = process.cpuUsage(this.cpu);
    // cpuUsage is in microseconds.
    end.log('cpu_percent', (100 * (cpu.user + cpu.system)) / 1000 / (elapsedMs * this.cores));
    end.log('step_ms', elapsedMs / this.steps);
    end.log('worker_rss_mb', process.memoryUsage.rss() / MiB);
    end.log('tensor_mb', tf.memory().numBytes / MiB);
    const heap = wasmHeapBytes();
    if (heap !== null) end.log('wasm_heap_mb', heap / MiB);
    this.restart();
  }

  private restart(): void {
    this.steps = 0;
    this.since = performance.now();
    this.cpu = process.cpuUsage();
  }
}
