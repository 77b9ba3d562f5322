/**
 * The evaluation card: that each number's protocol is read from where the run keeps it (config, dataset
 * spec, summary step, series epoch, the job behind it) and that the recipes are the ones the engine runs.
 */
import { describe, expect, it } from 'vitest';
import {
  evaluationCard,
  fineTuneMetricKey,
  fineTuneRecipe,
  jobBehind,
  linearProbeRecipe,
  sgdLinearProbeRecipe,
  transferMetricKey,
  type CardRun,
  type Job,
} from '../../src-main/domain';
import { defaultFineTuneBatchSize, fineTuneLrPer256 } from '../../src-main/engine/eval/fine-tune';

const run = (over: Partial<CardRun> = {}): CardRun => ({
  method: 'simclr',
  dataset: { id: 'cifar10', trainSize: 1000, testSize: 200 },
  config: { batchSize: 100, epochs: 4, knnK: 20, knnTemperature: 0.07, evalTrainSize: 0 },
  summarySteps: { knn_top1: 40, probe_top1: 40, loss: 39 },
  ...over,
});

type CardJob = Pick<Job, 'id' | 'kind' | 'status' | 'params' | 'result'>;
const job = (over: Partial<CardJob> & Pick<CardJob, 'id' | 'kind'>): CardJob => ({
  status: 'completed',
  params: null,
  result: null,
  ...over,
});

describe('evaluationCard', () => {
  it("reads kNN's k, τ, features and sizes from the run, and its epoch from the step", () => {
    const card = evaluationCard(run(), 'knn_top1');
    expect(card.kind).toBe('knn');
    expect(card.knn).toEqual({ k: 20, temperature: 0.07, features: 'backbone', fitImages: 1000 });
    expect(card.dataset).toMatchObject({
      id: 'cifar10',
      trainImages: 1000,
      testImages: 200,
      imageSize: null,
    });
    // 1,000 images in batches of 100: 10 steps per epoch, so step 40 ends epoch 4.
    expect(card.step).toBe(40);
    expect(card.epoch).toBe(4);
    expect(card.atInitialisation).toBe(false);
    expect(card.probe).toBeUndefined();
  });

  it("prefers the point's own epoch, and says when a value is the random initialisation's", () => {
    expect(evaluationCard(run(), 'knn_top1', { epoch: 3.5 }).epoch).toBe(3.5);
    const init = evaluationCard(run({ summarySteps: { knn_top1: 0 } }), 'knn_top1');
    expect(init.atInitialisation).toBe(true);
    expect(init.epoch).toBe(0);
  });

  it('limits the images evaluation fits on to evalTrainSize, and leaves an unknown split size unknown', () => {
    expect(evaluationCard(run({ config: { evalTrainSize: 300 } }), 'knn_top1').knn?.fitImages).toBe(300);
    const full = evaluationCard(run({ dataset: { id: 'cifar10' } }), 'probe_top1');
    expect(full.probe?.fitImages).toBeNull();
    expect(full.dataset.trainImages).toBeNull();
    // Without the split's size the step cannot be turned into epochs.
    expect(full.epoch).toBeNull();
    // STL-10 fits on its separate labelled split, whatever the training subset.
    const stl = evaluationCard(run({ dataset: { id: 'stl10', trainSize: 2000 } }), 'knn_top1');
    expect(stl.knn?.fitImages).toBeNull();
  });

  it('states the recipe the engine runs for the probe and the fine-tune', () => {
    const probe = evaluationCard(run(), 'probe_top1');
    expect(probe.probe).toMatchObject({ ...linearProbeRecipe, features: 'backbone', fitImages: 1000 });
    expect(fineTuneRecipe.batchSize).toBe(defaultFineTuneBatchSize);
    expect(fineTuneRecipe.learningRatePer256).toBe(fineTuneLrPer256);
  });

  it("states the probe's optimiser: the run's for its own probe, the job's for a probe job", () => {
    expect(evaluationCard(run(), 'probe_top1').probe).toMatchObject({ optimiser: 'adam', batchSize: null });
    const sgdRun = run({ config: { ...run().config, probeOptimizer: 'sgd' } });
    expect(evaluationCard(sgdRun, 'probe_top1').probe).toMatchObject({
      optimiser: 'sgd',
      steps: sgdLinearProbeRecipe.epochs,
      batchSize: sgdLinearProbeRecipe.batchSize,
      momentum: sgdLinearProbeRecipe.momentum,
      learningRate: sgdLinearProbeRecipe.learningRate,
      weightDecay: 0,
    });
    // A probe job's value: the job's optimiser, whatever the run's; one recorded before the choice, Adam.
    const jobs = [
      job({ id: 1, kind: 'linear-probe', params: { optimizer: 'sgd' }, result: { top1: 0.4, top5: 0.8 } }),
      job({ id: 2, kind: 'linear-probe', params: null, result: { top1: 0.3, top5: 0.7 } }),
    ];
    expect(evaluationCard(run(), 'probe_top1', { jobs, value: 0.4 }).probe?.optimiser).toBe('sgd');
    expect(evaluationCard(run(), 'probe_top5', { jobs, value: 0.8 }).probe?.optimiser).toBe('sgd');
    expect(evaluationCard(sgdRun, 'probe_top1', { jobs, value: 0.3 }).probe?.optimiser).toBe('adam');
    // A transfer's probe keeps the default recipe.
    const transfer = evaluationCard(sgdRun, transferMetricKey('mnist', 'probe', 1));
    expect(transfer.probe?.optimiser).toBe('adam');
  });

  it("reads a fine-tune's share from its key and its epochs from the job whose result it is", () => {
    const key = fineTuneMetricKey(10, 1);
    const jobs = [
      job({ id: 1, kind: 'fine-tune', params: { labelPercent: 10, epochs: 30 }, result: { top1: 0.41 } }),
      job({
        id: 2,
        kind: 'fine-tune',
        params: { labelPercent: 10, epochs: 5 },
        result: { top1: 0.33, labelledImages: 100 },
      }),
      job({ id: 3, kind: 'fine-tune', params: { labelPercent: 1, epochs: 60 }, result: { top1: 0.41 } }),
    ];
    const card = evaluationCard(run(), key, { jobs, value: 0.41, step: 40 });
    expect(card.kind).toBe('finetune');
    expect(card.fineTune).toMatchObject({ labelPercent: 10, epochs: 30, headLayers: 0, batchSize: 64 });
    // Without the value, the newest job of that share.
    expect(evaluationCard(run(), key, { jobs }).fineTune).toMatchObject({ epochs: 5, labelledImages: 100 });
    // Without jobs, the share is known and the epochs are not.
    expect(evaluationCard(run(), key).fineTune).toMatchObject({ labelPercent: 10, epochs: null });
  });

  it("reads a distillation's settings from its job", () => {
    const jobs = [
      job({
        id: 7,
        kind: 'distill',
        params: { labelPercent: 10, temperature: 1, labelWeight: 1, studentWidth: 8, epochs: 2 },
        result: { top1: 0.5, top5: 0.9 },
      }),
    ];
    const card = evaluationCard(run(), 'distill_top5', { jobs, value: 0.9 });
    expect(card.distill).toEqual({
      labelPercent: 10,
      temperature: 1,
      labelWeight: 1,
      studentWidth: 8,
      epochs: 2,
    });
  });

  it("measures a transfer on the target's images, with the run's kNN settings", () => {
    const jobs = [
      job({
        id: 4,
        kind: 'transfer',
        params: { dataset: 'fashion-mnist', trainSize: 500, testSize: 100 },
        result: { top1: 0.7, knnTop1: 0.65, trainImages: 500, testImages: 100 },
      }),
      job({ id: 5, kind: 'transfer', params: { dataset: 'mnist' }, result: { top1: 0.9, knnTop1: 0.88 } }),
    ];
    const key = transferMetricKey('fashion_mnist', 'knn', 1);
    const card = evaluationCard(
      run({ config: { knnK: 20, knnTemperature: 0.07, evalTrainSize: 200 } }),
      key,
      {
        jobs,
        value: 0.65,
      },
    );
    expect(card.kind).toBe('transfer-knn');
    expect(card.dataset).toMatchObject({
      id: 'fashion_mnist',
      name: 'Fashion-MNIST',
      trainImages: 500,
      testImages: 100,
    });
    expect(card.knn).toEqual({ k: 20, temperature: 0.07, features: 'backbone', fitImages: 200 });
    const probe = evaluationCard(run(), transferMetricKey('mnist', 'probe', 1), { jobs });
    expect(probe.kind).toBe('transfer-probe');
    expect(probe.probe?.steps).toBe(linearProbeRecipe.steps);
  });

  it('classes losses, diagnostics and system metrics apart from evaluations', () => {
    expect(evaluationCard(run(), 'loss').kind).toBe('training');
    expect(evaluationCard(run(), 'effective_rank').kind).toBe('diagnostic');
    expect(evaluationCard(run(), 'images_per_s').kind).toBe('system');
    expect(evaluationCard(run(), 'lr').kind).toBe('schedule');
  });
});

describe('jobBehind', () => {
  it('finds no job for a training-loop metric, nor a failed job', () => {
    const jobs = [job({ id: 1, kind: 'fine-tune', status: 'failed', params: { labelPercent: 10 } })];
    expect(jobBehind('knn_top1', jobs)).toBeNull();
    expect(jobBehind(fineTuneMetricKey(10, 1), jobs)).toBeNull();
  });
});
