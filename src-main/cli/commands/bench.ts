import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { datasetFlags, datasetHelp, datasetSpecFromFlags } from '../dataset-flags';
import { applySetFlags, keyValuePairs } from '../config-values';
import { UsageError } from '../errors';
import { backendPreferences, type BackendPreference } from '../../domain';
import type { BackboneId } from '../../engine/nn/backbones';
import type { MemoryReport, TensorTrace } from '../bench/common';
import type { StepBenchResult } from '../bench/step';
import type { RunRecord } from '../bench/e2e';
import type { QualityRow, QualitySummary } from '../bench/quality';
import {
  defaultPython,
  findTorch,
  runTorchReference,
  torchDevice,
  torchDevices,
  TorchReferenceError,
  torchUnsupported,
  type TorchDevicePreference,
  type TorchInstall,
  type TorchResult,
} from '../bench/torch';

const modes = ['step', 'train', 'quality', 'parity'] as const;
type Mode = (typeof modes)[number];

const help = `usage: contrastlab bench [step|train|quality|parity] [options]

Measures training speed and checks that methods learn. Not a test: run it on an otherwise idle machine.

  step (default)   times full training steps (forward, backward, optimiser update, the method's
                   after-step updates) on random input views after warm-up steps; prints images/s (every
                   view counted), step time, backend, peak memory, and checks that the number of live
                   tensors stays constant from step to step (exit code 1 if it does not)
  train            the step bench, then a real \`train\` on the CIFAR-10 subset in this process (loading
                   and augmentation included, kNN evaluation excluded) and the ratio of the two rates
  quality          a short run of one, some or all methods with their paper defaults on the CIFAR-10
                   subset: kNN top-1 at step 0 and at the end (exit code 1 unless every run learned);
                   with --seeds N, each method's mean gain ± std over N seeds, and whether the mean is
                   above the spread (exit code 1 unless every method learned clearly)
  parity           ContrastLab against its PyTorch reference recipes (bench/parity/, each following the
                   method's released code) on the CIFAR-10 subset, same config and seeds on both sides:
                   the kNN gain (end − step 0) in points, mean ± std over the seeds, ours / reference and
                   a verdict (parity at ≥ 0.95 or within the seeds' spread; none where the reference's
                   own gain is not above its seeds' spread); exit code 1 if a run failed

  --mode NAME            step, train, quality or parity (or give it as the first word)
  --method ID            method (default simclr); quality: an id, a comma-separated list, or all (default);
                         parity: an id or a comma-separated list of methods with a recipe
  --backbone ID          convnet, resnet18 (step/train default), resnet50 or vit_tiny; quality: the method's default
  --width N              backbone width (default: the backbone's default, 16 for resnet18, 32 for convnet)
  --batch-size N         images per step (step/train default 128)
  --set key=value        any config field of the method; repeatable
  --backend NAME         ${backendPreferences.join(', ')} (default auto)
  --json                 one JSON object on stdout instead of the text report
  step and train:
  --steps N              timed steps (default 5)
  --warmup N             untimed steps before them (default 1)
  --profile N            also list the N slowest kernels of one profiled step (on vulkan, each shader's
                         GPU time too, from timestamps)
  --compare-torch        also run the PyTorch reference (same network, width, batch and steps; resnet18 and
                         convnet, SimCLR only) in this invocation and print the ratio ours / PyTorch
  --torch-device NAME    where --compare-torch runs PyTorch: auto (default: cuda when ours ran on a GPU and
                         PyTorch sees one, else cpu), cpu or cuda
  --threads N            PyTorch threads for --compare-torch (default: every core); parity: the reference's
  --python FILE          interpreter with PyTorch (step default: python3 on PATH or ${defaultPython}, the
                         first whose PyTorch sees a CUDA device, else the first with PyTorch; parity
                         default ${defaultPython})
  train, quality and parity:
  --epochs N             epochs of each run (default 1; parity 10)
${datasetHelp('cifar10: the subset in ../shared/data/cifar10-subset')}  quality and parity:
  --markdown             print the table as Markdown (for the README)
  --seeds N              runs per method with seeds s … s+N−1, s the config's seed (quality default 1);
                         parity: seeds 0 … N−1 on both sides (default 3)
  parity (reads CIFAR-10 at 32 px only: --data-dir, --train-size, --test-size; backbones: convnet and
  resnet18, a method whose default is another trains the convnet and says so):
  --ablation key=value   a switch of the reference recipe: one piece done ours' way, to measure whether it
                         explains a gap (e.g. byol target_init=copy); repeatable
`;

function integer(flag: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function parseSets(pairs: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  applySetFlags(out, pairs ?? []);
  return out;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** `bench`: the measuring stick of training speed (step and train) and the check that every method learns (quality). */
export async function benchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mode: { type: 'string' },
      method: { type: 'string' },
      backbone: { type: 'string' },
      width: { type: 'string' },
      'batch-size': { type: 'string' },
      set: { type: 'string', multiple: true },
      backend: { type: 'string', default: 'auto' },
      json: { type: 'boolean' },
      steps: { type: 'string' },
      warmup: { type: 'string' },
      profile: { type: 'string' },
      'compare-torch': { type: 'boolean' },
      'torch-device': { type: 'string' },
      threads: { type: 'string' },
      python: { type: 'string' },
      epochs: { type: 'string' },
      seeds: { type: 'string' },
      ablation: { type: 'string', multiple: true },
      ...datasetFlags,
      markdown: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  if (positionals[0] && values.mode && positionals[0] !== values.mode) {
    throw new UsageError(`bench mode given twice: "${positionals[0]}" and --mode ${values.mode}`);
  }
  const rawMode = positionals[0] ?? values.mode ?? 'step';
  const mode = (rawMode === 'e2e' ? 'train' : rawMode) as Mode;
  if (!modes.includes(mode))
    throw new UsageError(`unknown bench mode "${rawMode}"; modes: ${modes.join(', ')}`);
  if (!(backendPreferences as readonly string[]).includes(values.backend!)) {
    throw new UsageError(`unknown backend "${values.backend}"; backends: ${backendPreferences.join(', ')}`);
  }
  // The benches and the backbone list load TensorFlow.js: imported once the arguments are read.
  const [{ backboneIds }, { benchSteps }, { benchTrain }, { benchQuality, selectMethods, summarizeQuality }] =
    await Promise.all([
      import('../../engine/nn/backbones'),
      import('../bench/step'),
      import('../bench/e2e'),
      import('../bench/quality'),
    ]);
  if (values.backbone !== undefined && !backboneIds.includes(values.backbone as BackboneId)) {
    throw new UsageError(`unknown backbone "${values.backbone}"; backbones: ${backboneIds.join(', ')}`);
  }
  const only = (flags: string[], where: Mode[]) => {
    for (const f of flags) {
      if (values[f as keyof typeof values] !== undefined && !where.includes(mode)) {
        throw new UsageError(`--${f} applies to bench ${where.join(' and ')}, not ${mode}`);
      }
    }
  };
  only(['steps', 'warmup', 'profile'], ['step', 'train']);
  only(['compare-torch', 'torch-device'], ['step']);
  if (values['torch-device'] !== undefined && !values['compare-torch']) {
    throw new UsageError('--torch-device applies with --compare-torch');
  }
  const torchDevicePreference = (values['torch-device'] ?? 'auto') as TorchDevicePreference;
  if (!(torchDevices as readonly string[]).includes(torchDevicePreference)) {
    throw new UsageError(
      `unknown --torch-device "${torchDevicePreference}"; devices: ${torchDevices.join(', ')}`,
    );
  }
  only(['threads', 'python'], ['step', 'parity']);
  only(['epochs', 'data-dir', 'train-size', 'test-size'], ['train', 'quality', 'parity']);
  only(['dataset', 'image-size', 'coarse-labels', 'test-fraction'], ['train', 'quality']);
  only(['markdown'], ['quality', 'parity']);
  only(['seeds'], ['quality', 'parity']);
  only(['ablation'], ['parity']);

  const backend = values.backend as BackendPreference;
  const set = parseSets(values.set);
  const width = integer('--width', values.width);
  const batchSize = integer('--batch-size', values['batch-size'], 2);
  const { id: dataset, ...spec } = datasetSpecFromFlags(values, 'cifar10');
  const data = { dataset, ...spec };
  const epochs = integer('--epochs', values.epochs);

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    log('stopping after the current step… (Ctrl-C again to abort at once)');
  };

  if (mode === 'parity') {
    return parityMode(values, {
      set,
      width,
      batchSize,
      epochs,
      backend,
      onSigint,
      stopped: () => stopRequested,
    });
  }

  if (mode === 'quality') {
    const methodIds = selectMethods(values.method ? [values.method] : undefined);
    const seeds = integer('--seeds', values.seeds) ?? 1;
    const shared: Record<string, unknown> = { ...set };
    if (values.backbone) shared.backbone = values.backbone;
    if (width !== undefined) shared.width = width;
    if (batchSize !== undefined) shared.batchSize = batchSize;
    process.on('SIGINT', onSigint);
    try {
      const rows =
        methodIds.length > 1
          ? await qualityInChildProcesses(argv, methodIds, () => stopRequested)
          : await benchQuality({
              methods: methodIds,
              epochs,
              seeds,
              backend,
              set: shared,
              ...data,
              log,
              shouldStop: () => stopRequested,
              onRow: (row) => log(`quality: ${qualityLine(row)}`),
            });
      if (seeds > 1) {
        // Over seeds, the table is one line per method: its gain against the seeds' spread.
        const summary = summarizeQuality(rows, seeds);
        if (values.json)
          process.stdout.write(JSON.stringify({ mode: 'quality', rows, summary }, null, 2) + '\n');
        else process.stdout.write(values.markdown ? seedsMarkdown(summary) : seedsTable(summary));
        return summary.length === methodIds.length && summary.every((s) => s.verdict === 'learned clearly')
          ? 0
          : 1;
      }
      if (values.json) process.stdout.write(JSON.stringify({ mode: 'quality', rows }, null, 2) + '\n');
      else process.stdout.write(values.markdown ? qualityMarkdown(rows) : qualityTable(rows));
      return rows.length === methodIds.length && rows.every((r) => r.learned && r.outcome === 'completed')
        ? 0
        : 1;
    } finally {
      process.off('SIGINT', onSigint);
    }
  }

  const model = {
    method: values.method ?? 'simclr',
    backbone: (values.backbone ?? 'resnet18') as BackboneId,
    width,
    batchSize: batchSize ?? 128,
    set,
  };
  const stepOptions = {
    ...model,
    steps: integer('--steps', values.steps),
    warmup: integer('--warmup', values.warmup, 0),
    profileTop: integer('--profile', values.profile),
    backend,
    log,
  };

  if (mode === 'step') {
    const compare = values['compare-torch'] ?? false;
    const threads = integer('--threads', values.threads);
    let torchNote: string | null = null;
    let install: TorchInstall | null = null;
    if (compare) {
      torchNote = torchUnsupported(model.method, model.backbone);
      // Fail before minutes of our own bench when the reference cannot run, or not where asked.
      if (!torchNote) {
        install = await findTorch(values.python).catch(rethrowAsUsage);
        try {
          torchDevice(torchDevicePreference, install, false);
        } catch (e) {
          rethrowAsUsage(e);
        }
      }
    }
    const ours = await benchSteps(stepOptions);
    let torch: TorchResult | null = null;
    if (install) {
      const device = torchDevice(torchDevicePreference, install, ours.gpu);
      log(`bench: PyTorch reference on ${device} (${ours.steps} steps after 1 warm-up)…`);
      torch = await runTorchReference({
        backbone: ours.backbone,
        width: ours.width,
        batchSize: ours.batchSize,
        steps: ours.steps,
        threads,
        python: install.python,
        device,
      }).catch(rethrowAsUsage);
    }
    const ratio = torch ? ours.imagesPerSecond / torch.images_per_s : null;
    if (values.json) {
      const out = { ...ours, ...(compare ? { torch, torchNote, ratio } : {}) };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      process.stdout.write(stepReport(ours));
      if (compare) process.stdout.write(torchReport(torch, torchNote, ratio));
    }
    return healthy(ours.tensors, ours.lossFinite);
  }

  // mode === 'train'
  const step = await benchSteps(stepOptions);
  log(`bench: end-to-end train() on CIFAR-10…`);
  process.on('SIGINT', onSigint);
  let run: RunRecord;
  try {
    run = await benchTrain({ ...model, ...data, epochs, backend, log, shouldStop: () => stopRequested });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (run.error) throw new UsageError(`bench train: the run failed: ${run.error}`);
  const ratio = run.imagesPerSecond !== null ? run.imagesPerSecond / step.imagesPerSecond : null;
  const ratioSteady =
    run.imagesPerSecondSteady !== null ? run.imagesPerSecondSteady / step.imagesPerSecond : null;
  if (values.json) {
    process.stdout.write(
      JSON.stringify({ mode: 'train', step, train: run, ratio, ratioSteady }, null, 2) + '\n',
    );
  } else {
    process.stdout.write(stepReport(step));
    process.stdout.write(trainReport(run, ratio, ratioSteady));
  }
  const codes = [
    healthy(step.tensors, step.lossFinite),
    healthy(run.tensors, true),
    run.outcome === 'completed' ? 0 : 1,
  ];
  return Math.max(...codes);
}

/** `--ablation key=value` pairs: switches of the reference recipes, values as given. */
function parseAblation(pairs: string[] | undefined): Record<string, string> {
  return Object.fromEntries(keyValuePairs('--ablation', pairs ?? []));
}

/** `bench parity`: refuses before anything trains, then both sides per method and seed, then the table. */
async function parityMode(
  values: Record<string, string | boolean | string[] | undefined>,
  flags: {
    set: Record<string, unknown>;
    width: number | undefined;
    batchSize: number | undefined;
    epochs: number | undefined;
    backend: BackendPreference;
    onSigint: () => void;
    stopped: () => boolean;
  },
): Promise<number> {
  const { benchParity, parityKit, parityMarkdown, parityTable, planParity, ParityRefused } =
    await import('../bench/parity');
  const python = (values.python as string | undefined) ?? defaultPython;
  const options = {
    methods: [(values.method as string | undefined) ?? 'simclr'],
    seeds: integer('--seeds', values.seeds as string | undefined),
    epochs: flags.epochs,
    backbone: values.backbone as string | undefined,
    width: flags.width,
    batchSize: flags.batchSize,
    set: flags.set,
    dataDir: values['data-dir'] as string | undefined,
    trainSize: integer('--train-size', values['train-size'] as string | undefined),
    testSize: integer('--test-size', values['test-size'] as string | undefined),
    python,
    threads: integer('--threads', values.threads as string | undefined),
    ablation: parseAblation(values.ablation as string[] | undefined),
    backend: flags.backend,
    log,
    shouldStop: flags.stopped,
  };
  // One line, before anything trains: no interpreter or torch, a method without a recipe, a backbone the
  // kit does not build.
  const kit = await parityKit(python).catch(rethrowAsUsage);
  try {
    planParity(options, kit);
  } catch (e) {
    if (e instanceof ParityRefused) throw new UsageError(e.message);
    throw e;
  }
  process.on('SIGINT', flags.onSigint);
  let rows: Awaited<ReturnType<typeof benchParity>>;
  try {
    rows = await benchParity(options, kit);
  } finally {
    process.off('SIGINT', flags.onSigint);
  }
  const { ablation } = options;
  if (values.json) {
    process.stdout.write(JSON.stringify({ mode: 'parity', kit, ablation, rows }, null, 2) + '\n');
    return rows.every((r) => r.verdict !== 'failed') ? 0 : 1;
  }
  const switches = Object.entries(ablation).map(([k, v]) => `${k}=${v}`);
  // An ablated reference is not the released recipe: the table says so first.
  if (switches.length) process.stdout.write(`reference ablation: ${switches.join(', ')}\n`);
  process.stdout.write(values.markdown ? parityMarkdown(rows) : parityTable(rows));
  return rows.every((r) => r.verdict !== 'failed') ? 0 : 1;
}

function rethrowAsUsage(e: unknown): never {
  if (e instanceof TorchReferenceError) throw new UsageError(e.message);
  throw e;
}

function healthy(tensors: TensorTrace, lossFinite: boolean): number {
  if (!tensors.constant) log(`bench: live tensors grew from step to step: ${tensors.perStep.join(', ')}`);
  if (!lossFinite) log('bench: the loss was not finite');
  return tensors.constant && lossFinite ? 0 : 1;
}

const fixed = (x: number | null, digits = 1) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const percent = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(2)}%`);

function bytes(n: number | null): string {
  if (n === null) return '–';
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function memoryLine(m: MemoryReport): string {
  return (
    `peak RSS ${bytes(m.peakRssBytes)}; tf tensors ${bytes(m.tfLiveBytes)} live between steps` +
    (m.tfPeakStepBytes !== null ? `, ${bytes(m.tfPeakStepBytes)} at the peak of a step` : '') +
    (m.wasmHeapBytes !== null ? `; wasm heap ${bytes(m.wasmHeapBytes)}` : '')
  );
}

function tensorsLine(t: TensorTrace): string {
  if (t.perStep.length === 0) return 'not sampled';
  if (t.constant) return `${t.perStep[0]} live after every step (constant over ${t.perStep.length} samples)`;
  return `NOT constant: ${t.perStep.join(', ')} (${t.growthPerStep >= 0 ? '+' : ''}${fixed(t.growthPerStep)} per step)`;
}

const row = (label: string, text: string) => `${label.padEnd(13)}${text}\n`;

function stepReport(r: StepBenchResult): string {
  let out =
    `bench step: ${r.method}, ${r.backbone} width ${r.width}, batch ${r.batchSize} × ${r.viewsPerImage} views ` +
    `= ${r.imagesPerStep} images/step, ${r.optimizer}, ${r.parameters.toLocaleString('en')} parameters\n`;
  out += row('backend', `${r.backend}: ${r.device}`);
  out += row(
    'step time',
    `median ${fixed(r.stepMs.median)} ms, mean ${fixed(r.stepMs.mean)} ms ` +
      `(min ${fixed(r.stepMs.min)}, max ${fixed(r.stepMs.max)}; ${r.steps} steps after ${r.warmup} warm-up)`,
  );
  out += row(
    'throughput',
    `${fixed(r.imagesPerSecond)} images/s (mean step; ${fixed(r.imagesPerSecondMedian)} at the median)`,
  );
  out += row('memory', memoryLine(r.memory));
  out += row('tensors', tensorsLine(r.tensors));
  if (!r.lossFinite) out += row('loss', 'NOT finite');
  if (r.cpuKernels) {
    const calls = r.cpuKernels.map((k) => `${k.name} ×${k.calls}`).join(', ');
    out += row(
      'on the cpu',
      r.cpuKernels.length ? `${calls} (no shader yet)` : 'none: every kernel ran on the device',
    );
  }
  if (r.vulkan) {
    const v = r.vulkan;
    const grew = v.blockBytes - v.blockBytesAfterWarmup;
    // Averages over the timed steps: whole numbers when every step did the same.
    const count = (n: number, noun: string) =>
      `${Number.isInteger(n) ? n : n.toFixed(1)} ${noun}${n === 1 ? '' : noun.endsWith('h') ? 'es' : 's'}`;
    out += row(
      'device',
      `${bytes(v.blockBytes)} of device memory in ${count(v.blocks, 'block')} (` +
        (grew > 0 ? `GREW by ${bytes(grew)} in the timed steps` : 'none allocated in the timed steps') +
        `); per step ${count(v.dispatchesPerStep, 'dispatch')} in ${count(v.submitsPerStep, 'submission')}, ` +
        `${count(v.stagedReadsPerStep, 'staged read')}`,
    );
  }
  if (r.kernels?.length) {
    out += 'kernels      (one profiled step; nested kernels count in caller and callee)\n';
    for (const k of r.kernels)
      out += `  ${k.name.padEnd(28)} ${fixed(k.ms).padStart(9)} ms ${String(k.calls).padStart(5)} calls\n`;
  }
  if (r.gpuShaders?.length) {
    // The kernel times above are host times on vulkan (recording); these are the device's own.
    const total = r.gpuShaders.reduce((sum, s) => sum + s.ms, 0);
    out += `GPU time     ${fixed(total)} ms of the profiled step on the device, by shader (timestamps)\n`;
    for (const s of r.gpuShaders.slice(0, r.kernels?.length ?? r.gpuShaders.length))
      out += `  ${s.shader.padEnd(28)} ${fixed(s.ms).padStart(9)} ms ${String(s.dispatches).padStart(5)} dispatches\n`;
  }
  return out;
}

function torchReport(t: TorchResult | null, note: string | null, ratio: number | null): string {
  if (!t) return row('PyTorch', `not run: ${note ?? 'unavailable'}`);
  // On a GPU the intra-op thread count does not bound the speed, so it is not named.
  const where = t.device === 'cpu' ? `, ${t.threads} thread${t.threads === 1 ? '' : 's'}` : ` (${t.device})`;
  return (
    row(
      'PyTorch',
      `${t.reference}${where}: ${fixed(t.images_per_s)} images/s ` +
        `(step ${fixed(t.step_ms)} ms; ${path.basename(t.script)} under ${t.python})`,
    ) + row('ratio', `ours / PyTorch = ${fixed(ratio, 3)}`)
  );
}

function trainReport(r: RunRecord, ratio: number | null, ratioSteady: number | null): string {
  let out =
    `bench train: ${r.method}, ${r.backbone} width ${r.width}, batch ${r.batchSize}, ${r.epochs} epoch` +
    `${r.epochs === 1 ? '' : 's'} on CIFAR-10, ${r.steps} steps (${r.outcome})\n`;
  out += row(
    'end to end',
    `${fixed(r.imagesPerSecond)} images/s from the run's images_per_s (kNN excluded); ` +
      `${fixed(r.imagesPerSecondSteady)} steady (each epoch's first step left out)`,
  );
  out += row('ratio', `end to end / step = ${fixed(ratio, 3)} (steady ${fixed(ratioSteady, 3)})`);
  out += row(
    'run',
    `training ${fixed(r.trainSeconds)} s, wall ${fixed(r.wallSeconds)} s (loading and kNN included); ` +
      `kNN top-1 ${percent(r.knnStart)} → ${percent(r.knnEnd)}`,
  );
  out += row('memory', memoryLine(r.memory));
  out += row('tensors', tensorsLine(r.tensors));
  return out;
}

function qualityLine(r: QualityRow): string {
  if (r.outcome !== 'completed') return `${r.method} ${r.outcome}${r.error ? `: ${r.error}` : ''}`;
  return (
    `${r.method}: kNN top-1 ${percent(r.knnStart)} → ${percent(r.knnEnd)} ` +
    `(${r.learned ? 'learned' : 'did not learn'}), ${fixed(r.imagesPerSecond)} images/s`
  );
}

const qualityHeader = [
  'method',
  'backbone',
  'epochs',
  'images/s',
  'kNN top-1 step 0',
  'kNN top-1 end',
  'learned',
];

function qualityCells(r: QualityRow): string[] {
  return [
    r.method,
    `${r.backbone} w${r.width}`,
    String(r.epochs),
    fixed(r.imagesPerSecond),
    percent(r.knnStart),
    percent(r.knnEnd),
    r.outcome === 'completed' ? (r.learned ? 'yes' : 'no') : r.outcome,
  ];
}

function qualityNotes(rows: QualityRow[]): string {
  return rows
    .filter((r) => r.error || r.ignoredKeys.length)
    .map(
      (r) =>
        `${r.method}: ` +
        [
          r.error,
          r.ignoredKeys.length ? `--set ${r.ignoredKeys.join(', ')} not a field of it, left out` : null,
        ]
          .filter(Boolean)
          .join('; ') +
        '\n',
    )
    .join('');
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
function alignedTable(table: string[][]): string {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table
    .map((cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

function qualityTable(rows: QualityRow[]): string {
  return `${alignedTable([qualityHeader, ...rows.map(qualityCells)])}\n${qualityNotes(rows)}`;
}

function qualityMarkdown(rows: QualityRow[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = qualityHeader.map((_, i) => (i < 2 ? '---' : '---:'));
  const notes = qualityNotes(rows);
  return (
    [line(qualityHeader), line(align), ...rows.map((r) => line(qualityCells(r)))].join('\n') +
    '\n' +
    (notes ? `\n${notes}` : '')
  );
}

const seedsHeader = [
  'method',
  'backbone',
  'epochs',
  'seeds',
  'kNN top-1 step 0',
  'kNN top-1 end',
  'kNN gain (points)',
  'verdict',
];

function seedsCells(s: QualitySummary): string[] {
  const pct = (m: QualitySummary['knnStart']) => (m ? `${(100 * m.mean).toFixed(2)}%` : '–');
  return [
    s.method,
    `${s.backbone} w${s.width}`,
    String(s.epochs),
    s.gain && s.gain.n < s.seeds ? `${s.gain.n} of ${s.seeds}` : String(s.seeds),
    pct(s.knnStart),
    pct(s.knnEnd),
    s.gain ? `${(100 * s.gain.mean).toFixed(1)} ± ${(100 * s.gain.std).toFixed(1)}` : '–',
    s.verdict,
  ];
}

function seedsTable(summary: QualitySummary[]): string {
  return `${alignedTable([seedsHeader, ...summary.map(seedsCells)])}\n`;
}

function seedsMarkdown(summary: QualitySummary[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = seedsHeader.map((_, i) => (i < 2 ? '---' : '---:'));
  return [line(seedsHeader), line(align), ...summary.map((s) => line(seedsCells(s)))].join('\n') + '\n';
}

/**
 * Runs each method's quality check in its own process, as the engine runs each run in its own
 * worker: a crash in one (a wasm abort is fatal to the whole wasm instance) cannot take the others
 * down, and each starts with a fresh heap.
 */
async function qualityInChildProcesses(
  argv: string[],
  methodIds: string[],
  shouldStop: () => boolean,
): Promise<QualityRow[]> {
  const passOn: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--method') i++;
    else if (!a.startsWith('--method=') && a !== '--json' && a !== '--markdown') passOn.push(a);
  }
  const rows: QualityRow[] = [];
  for (const id of methodIds) {
    if (shouldStop()) break;
    const out = await new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        [...process.execArgv, process.argv[1]!, 'bench', ...passOn, '--method', id, '--json'],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', () => resolve(stdout));
    });
    try {
      rows.push(...(JSON.parse(out) as { rows: QualityRow[] }).rows);
    } catch {
      process.stderr.write(`quality: ${id} ended without a result\n`);
    }
  }
  return rows;
}
