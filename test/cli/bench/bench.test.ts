import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { vulkanDevice } from '../../../src-main/engine/backend/vulkan';
import { cifarDir, runCli } from '../../helpers/cli';

/** Tiny settings: the bench's output shape is what is tested, never its timings. */
const tiny = ['--width', '4', '--batch-size', '8', '--steps', '2'];

function json<T = Record<string, unknown>>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

interface StepJson {
  mode: string;
  method: string;
  backbone: string;
  width: number;
  batchSize: number;
  viewsPerImage: number;
  imagesPerStep: number;
  backend: string;
  device: string;
  steps: number;
  warmup: number;
  stepMs: { median: number; mean: number; all: number[] };
  imagesPerSecond: number;
  lossFinite: boolean;
  memory: { peakRssBytes: number; tfLiveBytes: number; tfPeakStepBytes: number | null };
  tensors: { perStep: number[]; constant: boolean; growthPerStep: number };
  kernels?: { name: string; ms: number; calls: number }[];
  cpuKernels?: { name: string; calls: number }[];
  vulkan?: { blockBytesAfterWarmup: number; blockBytes: number; submitsPerStep: number };
  torch?: {
    images_per_s: number;
    step_ms: number;
    backbone: string;
    width: number;
    batch_size: number;
  } | null;
  torchNote?: string | null;
  ratio?: number | null;
}

function expectStepShape(r: StepJson) {
  expect(r).toMatchObject({ mode: 'step', method: 'simclr', width: 4, batchSize: 8, viewsPerImage: 2 });
  expect(r.imagesPerStep).toBe(16);
  expect(r.steps).toBe(2);
  expect(r.warmup).toBe(1);
  expect(r.backend).toMatch(/wasm|tensorflow|cpu/);
  expect(r.device).toBeTruthy();
  expect(r.stepMs.all).toHaveLength(2);
  expect(r.stepMs.median).toBeGreaterThan(0);
  expect(r.stepMs.mean).toBeGreaterThan(0);
  expect(r.imagesPerSecond).toBeCloseTo((16 * 1000) / r.stepMs.mean, 6);
  expect(r.lossFinite).toBe(true);
  expect(r.memory.peakRssBytes).toBeGreaterThan(0);
  expect(r.memory.tfLiveBytes).toBeGreaterThan(0);
  expect(r.memory.tfPeakStepBytes).toBeGreaterThan(r.memory.tfLiveBytes);
  // The leak check: the end of the warm-up, both timed steps and the profiled step.
  expect(r.tensors.perStep).toHaveLength(4);
  expect(r.tensors.constant).toBe(true);
  expect(r.tensors.growthPerStep).toBe(0);
}

describe('bench step', () => {
  it('times training steps and reports throughput, memory and a constant tensor count (--json)', async () => {
    const r = await runCli(['bench', ...tiny, '--profile', '3', '--json']);
    expect(r.code).toBe(0);
    const out = json<StepJson>(r.stdout);
    expectStepShape(out);
    expect(out.backbone).toBe('resnet18');
    expect(out.kernels).toHaveLength(3);
    expect(out).not.toHaveProperty('torch');
  });

  it('prints a text report', async () => {
    const r = await runCli(['bench', '--mode', 'step', '--backbone', 'convnet', ...tiny]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^bench step: simclr, convnet width 4, batch 8 × 2 views = 16 images\/step/);
    for (const label of ['backend', 'step time', 'throughput', 'memory', 'tensors']) {
      expect(r.stdout).toMatch(new RegExp(`^${label} +\\S`, 'm'));
    }
    expect(r.stdout).toMatch(/median [\d.]+ ms, mean [\d.]+ ms/);
    expect(r.stdout).toMatch(/[\d.]+ images\/s/);
    expect(r.stdout).toMatch(/peak RSS [\d.]+ [MG]iB/);
    expect(r.stdout).toMatch(/live after every step \(constant/);
  });

  it('times a multi-crop method with all its views counted', async () => {
    const r = await runCli(['bench', '--method', 'swav', ...tiny, '--warmup', '0', '--json']);
    expect(r.code).toBe(0);
    const out = json<StepJson>(r.stdout);
    expect(out.viewsPerImage).toBeGreaterThan(2);
    expect(out.imagesPerStep).toBe(8 * out.viewsPerImage);
    expect(out.tensors.constant).toBe(true);
  });

  it('says why there is no PyTorch reference for other methods and backbones, and times ours', async () => {
    const method = await runCli(['bench', '--method', 'byol', ...tiny, '--compare-torch', '--json']);
    expect(method.code).toBe(0);
    const m = json<StepJson>(method.stdout);
    expect(m.torch).toBeNull();
    expect(m.ratio).toBeNull();
    expect(m.torchNote).toMatch(/SimCLR step only.*byol/);

    const vit = await runCli([
      'bench',
      '--backbone',
      'vit_tiny',
      '--width',
      '8',
      '--batch-size',
      '4',
      '--steps',
      '1',
      '--compare-torch',
    ]);
    expect(vit.code).toBe(0);
    expect(vit.stdout).toMatch(/^PyTorch +not run: .*resnet18 and convnet backbones only, not vit_tiny/m);
  });

  it('fails in one line, before benchmarking, when the interpreter with python3-torch is missing', async () => {
    const r = await runCli(['bench', ...tiny, '--compare-torch', '--python', '/nonexistent/python3']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--compare-torch needs .*python3-torch/);
    expect(r.stdout).toBe('');
  });

  it('rejects unknown modes and options of other modes', async () => {
    const mode = await runCli(['bench', 'nonsense']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/unknown bench mode "nonsense"; modes: step, train, quality/);
    const flag = await runCli(['bench', '--markdown']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--markdown applies to bench quality and parity, not step/);
  });
});

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;

describe('bench step --compare-torch', () => {
  for (const backbone of ['resnet18', 'convnet']) {
    it(`runs the PyTorch ${backbone} reference in the same invocation and prints the ratio`, async (ctx) => {
      ctx.skip(!hasTorch, 'python3-torch is not installed (apt-get install -y python3-torch)');
      const r = await runCli([
        'bench',
        '--backbone',
        backbone,
        ...tiny,
        '--compare-torch',
        '--threads',
        '1',
        '--json',
      ]);
      expect(r.code).toBe(0);
      const out = json<StepJson>(r.stdout);
      expectStepShape(out);
      expect(out.torch).toMatchObject({ backbone, width: 4, batch_size: 8, threads: 1 });
      expect(out.torch!.images_per_s).toBeGreaterThan(0);
      expect(out.ratio).toBeCloseTo(out.imagesPerSecond / out.torch!.images_per_s, 6);

      const text = await runCli(['bench', '--backbone', backbone, ...tiny, '--compare-torch']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^PyTorch +pytorch \S+ cpu, \d+ threads?: [\d.]+ images\/s/m);
      expect(text.stdout).toMatch(/^ratio +ours \/ PyTorch = [\d.]+$/m);
    });
  }
});

describe('bench train', () => {
  it('trains on the CIFAR-10 subset in-process and relates end-to-end images/s to the step rate', async () => {
    const r = await runCli([
      'bench',
      'train',
      ...tiny,
      '--data-dir',
      cifarDir,
      '--train-size',
      '32',
      '--test-size',
      '32',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = json<{
      mode: string;
      step: StepJson;
      train: Record<string, unknown> & { tensors: { constant: boolean; perStep: number[] } };
      ratio: number;
      ratioSteady: number;
    }>(r.stdout);
    expect(out.mode).toBe('train');
    expectStepShape(out.step);
    expect(out.train).toMatchObject({
      method: 'simclr',
      backbone: 'resnet18',
      width: 4,
      batchSize: 8,
      epochs: 1,
      viewsPerImage: 2,
      outcome: 'completed',
      error: null,
      steps: 4,
    });
    for (const key of ['imagesPerSecond', 'imagesPerSecondSteady', 'trainSeconds', 'wallSeconds']) {
      expect(out.train[key]).toBeGreaterThan(0);
    }
    for (const key of ['knnStart', 'knnEnd', 'lossFirst', 'lossLast'])
      expect(typeof out.train[key]).toBe('number');
    expect(out.ratio).toBeCloseTo((out.train.imagesPerSecond as number) / out.step.imagesPerSecond, 6);
    expect(out.ratioSteady).toBeGreaterThan(0);
    expect(out.train.tensors.perStep).toHaveLength(4);
    expect(out.train.tensors.constant).toBe(true);
  });
});

describe('bench quality', () => {
  const small = [
    '--data-dir',
    cifarDir,
    '--train-size',
    '32',
    '--test-size',
    '32',
    '--width',
    '4',
    '--batch-size',
    '8',
  ];

  it('runs the chosen methods and reports kNN at step 0 and at the end (--json)', async () => {
    const r = await runCli([
      'bench',
      'quality',
      '--method',
      'simclr,byol',
      '--epochs',
      '1',
      ...small,
      '--json',
    ]);
    const out = json<{ mode: string; rows: Record<string, unknown>[] }>(r.stdout);
    expect(out.mode).toBe('quality');
    expect(out.rows.map((x) => x.method)).toEqual(['simclr', 'byol']);
    for (const row of out.rows) {
      expect(row).toMatchObject({ epochs: 1, width: 4, batchSize: 8, outcome: 'completed', error: null });
      expect(row.imagesPerSecond).toBeGreaterThan(0);
      expect(row.knnStart).toBeGreaterThanOrEqual(0);
      expect(row.knnEnd).toBeGreaterThanOrEqual(0);
      expect(row.learned).toBe((row.knnEnd as number) > (row.knnStart as number));
    }
    expect(r.code).toBe(out.rows.every((x) => x.learned) ? 0 : 1);
  });

  it('prints a Markdown table for the README', async () => {
    const r = await runCli(['bench', 'quality', '--method', 'simclr', ...small, '--markdown']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      '| method | backbone | epochs | images/s | kNN top-1 step 0 | kNN top-1 end | learned |',
    );
    expect(lines[1]).toMatch(/^\| --- \| --- \|( ---: \|){5}$/);
    expect(lines[2]).toMatch(/^\| simclr \| convnet w4 \| 1 \| [\d.]+ \| [\d.]+% \| [\d.]+% \| (yes|no) \|$/);
  });

  it('--seeds N runs each method with N seeds and judges its mean gain against their spread', async () => {
    const r = await runCli([
      'bench',
      'quality',
      '--method',
      'simclr,byol',
      '--seeds',
      '2',
      ...small,
      '--json',
    ]);
    type Stat = { mean: number; std: number; n: number };
    const out = json<{
      rows: { method: string; seed: number; knnStart: number; knnEnd: number }[];
      summary: { method: string; seeds: number; gain: Stat; knnStart: Stat; verdict: string }[];
    }>(r.stdout);
    expect(out.rows.map((x) => `${x.method}:${x.seed}`)).toEqual([
      'simclr:0',
      'simclr:1',
      'byol:0',
      'byol:1',
    ]);
    expect(out.summary.map((s) => s.method)).toEqual(['simclr', 'byol']);
    for (const s of out.summary) {
      const gains = out.rows.filter((x) => x.method === s.method).map((x) => x.knnEnd - x.knnStart);
      const mean = (gains[0]! + gains[1]!) / 2;
      expect(s.seeds).toBe(2);
      expect(s.gain.n).toBe(2);
      expect(s.gain.mean).toBeCloseTo(mean, 12);
      expect(s.gain.std).toBeCloseTo(Math.abs(gains[0]! - gains[1]!) / Math.SQRT2, 12);
      expect(s.verdict).toBe(
        mean <= 0 ? 'did not learn' : mean > s.gain.std ? 'learned clearly' : 'within spread',
      );
    }
    expect(r.code).toBe(out.summary.every((s) => s.verdict === 'learned clearly') ? 0 : 1);
    const md = await runCli([
      'bench',
      'quality',
      '--method',
      'simclr',
      '--seeds',
      '2',
      ...small,
      '--markdown',
    ]);
    expect(md.stdout.split('\n')[0]).toBe(
      '| method | backbone | epochs | seeds | kNN top-1 step 0 | kNN top-1 end | kNN gain (points) | verdict |',
    );
    expect(md.stdout.split('\n')[2]).toMatch(
      /^\| simclr \| convnet w4 \| 1 \| 2 \| [\d.]+% \| [\d.]+% \| -?[\d.]+ ± [\d.]+ \| (learned clearly|within spread|did not learn) \|$/,
    );
  });

  it('rejects an unknown method before training anything', async () => {
    const r = await runCli(['bench', 'quality', '--method', 'simclr,nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown method "nope"/);
  });
});

describe.runIf(vulkanDevice().addon !== null)('bench step on the vulkan backend', () => {
  it('runs a SimCLR step on the device alone, submitted once, with its GPU time by shader', async () => {
    const r = await runCli(['bench', '--backend', 'vulkan', '--backbone', 'convnet', ...tiny, '--json']);
    expect(r.code).toBe(0);
    const step = json<StepJson>(r.stdout);
    expect(step.backend).toBe('vulkan');
    expect(step.lossFinite).toBe(true);
    expect(step.cpuKernels).toEqual([]);
    // The whole step is recorded and submitted once, when the loss is read; no memory is allocated.
    expect(step.vulkan).toMatchObject({ submitsPerStep: 1 });
    expect(step.vulkan!.blockBytes).toBe(step.vulkan!.blockBytesAfterWarmup);
    const text = await runCli([
      'bench',
      '--backend',
      'vulkan',
      '--backbone',
      'convnet',
      ...tiny,
      '--profile',
      '20',
    ]);
    expect(text.stdout).toMatch(/^on the cpu {3}none: every kernel ran on the device$/m);
    expect(text.stdout).toMatch(
      /^device {7}[\d.]+ \w+ of device memory in \d+ blocks? \(none allocated in the timed steps\); per step \d+ dispatches in 1 submission,/m,
    );
    // With a profile, the device's own time of each shader (GPU timestamps), as many as kernels listed.
    expect(text.stdout).toMatch(
      /^GPU time {5}[\d.]+ ms of the profiled step on the device, by shader \(timestamps\)$/m,
    );
    expect(text.stdout.match(/^ {2}conv2d\w* +[\d.]+ ms +\d+ dispatches$/gm)?.length).toBeGreaterThan(0);
  }, 120_000);

  it("runs InstDisc's memory-bank update on the device too (the last kernel of a run that fell back)", async () => {
    const r = await runCli([
      'bench',
      '--method',
      'instdisc',
      '--backend',
      'vulkan',
      '--backbone',
      'convnet',
      ...tiny,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^on the cpu {3}none: every kernel ran on the device$/m);
  }, 120_000);
});
