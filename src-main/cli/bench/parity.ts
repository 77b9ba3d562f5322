import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { meanStd, type BackendPreference, type MeanStd } from '../../domain';
import { getMethod, methodSchema, resolveConfig, type RunConfig } from '../../engine/methods';
import { benchDataset, recordRun, type RunData, type RunHooks, type RunRecord } from './e2e';
import { repoRoot } from './common';
import { checkTorch, defaultPython, TorchReferenceError } from './torch';

/**
 * `bench parity`: ContrastLab against PyTorch references of the same recipes (bench/parity/, one recipe
 * per method following its released code, on a shared kit that reproduces our backbones, views,
 * optimiser, schedule and kNN monitor), side by side on the CIFAR-10 subset with the same config and
 * seeds. The yardstick is the kNN gain, the kNN top-1 at the end minus that of step 0.
 */

export const parityDir = path.resolve(repoRoot, 'bench/parity');
export const parityRunScript = path.join(parityDir, 'run.py');

/** A ratio ours/reference of the mean kNN gains at least this is parity (or within the seeds' spread). */
export const PARITY_RATIO = 0.95;

/** Why a parity bench cannot run as asked; one line for the user, before anything trains. */
export class ParityRefused extends Error {
  override name = 'ParityRefused';
}

/** What the kit can build: its recipes (method ids) and backbones, and the torch it found. */
export interface ParityKit {
  recipes: string[];
  backbones: string[];
  /**
   * Each recipe's ablation switches (run.py's "ablation"), each with its one value: one piece of the
   * recipe done ours' way.
   */
  ablations: Record<string, Record<string, string>>;
  torch: string;
}

/** The CIFAR-10 subset both sides read: the kit reads CIFAR-10's binary batches only, at 32 px. */
export interface ParityData {
  /** The cifar-10-batches-bin folder (default the shared subset). */
  dataDir?: string;
  /** The first N training / test images. */
  trainSize?: number;
  testSize?: number;
}

export interface ParityOptions extends ParityData, RunHooks {
  /** Method ids (a comma-separated list is split). */
  methods: string[];
  /** Seeds 0 … seeds−1 (default 3). */
  seeds?: number;
  /** Epochs of every run (default 10). */
  epochs?: number;
  backbone?: string;
  width?: number;
  batchSize?: number;
  /** Config fields for every run (`--set`). */
  set?: Record<string, unknown>;
  /** The interpreter with torch and torchvision (default /usr/bin/python3). */
  python?: string;
  /** PyTorch's intra-op threads (default: every core, as ours uses). */
  threads?: number;
  /**
   * Switches of the reference recipes (`--ablation key=value`), each one piece done ours' way, to measure
   * whether it explains a gap; every chosen method's recipe must know each key.
   */
  ablation?: Record<string, string>;
  backend?: BackendPreference;
  /** Called after each seed of each method, both sides done. */
  onSeed?: (method: string, seed: ParitySeed) => void;
}

/** One side's numbers for one seed. */
export interface ParitySide {
  knnStart: number | null;
  knnEnd: number | null;
  /** knnEnd − knnStart, a fraction (×100 for points). */
  gain: number | null;
  finalLoss: number | null;
  /** Seconds of training steps (no kNN), and of the whole run. */
  trainSeconds: number | null;
  wallSeconds: number | null;
  /** Training images (not views) per second over the training steps. */
  imagesPerSecond: number | null;
  steps: number | null;
  error: string | null;
}

export interface ParitySeed {
  seed: number;
  ours: ParitySide;
  reference: ParitySide & { threads: number | null; reference: string | null };
}

export interface ParityRow {
  method: string;
  backbone: string;
  width: number;
  batchSize: number;
  epochs: number;
  trainImages: number | null;
  testImages: number | null;
  /** Why the backbone is not the method's default, if it is not. */
  note: string | null;
  seeds: ParitySeed[];
  /** kNN gains over the seeds, fractions. */
  reference: MeanStd | null;
  ours: MeanStd | null;
  /** ours.mean / reference.mean; null unless the reference gained. */
  ratio: number | null;
  verdict:
    | 'parity'
    | 'within spread'
    | 'below'
    | 'reference did not learn'
    | 'reference did not learn clearly'
    | 'failed';
}

/** Runs the interpreter; resolves with its output and exit code, streaming stderr lines to `onLine`. */
function runPython(
  python: string,
  args: string[],
  onLine?: (line: string) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) onLine?.(l);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .at(-1) ?? '';

/**
 * The kit's recipes and backbones (`run.py --capabilities`), after checking that the interpreter runs
 * and imports torch. Throws a TorchReferenceError naming what is missing.
 */
export async function parityKit(python = defaultPython): Promise<ParityKit> {
  await checkTorch(python).catch((e: unknown) => {
    // checkTorch words its lines for --compare-torch.
    if (e instanceof TorchReferenceError)
      throw new TorchReferenceError(e.message.replace(/^--compare-torch/, 'bench parity'));
    throw e;
  });
  const { code, stdout, stderr } = await runPython(python, [parityRunScript, '--capabilities']);
  if (code !== 0) {
    throw new TorchReferenceError(`the parity kit does not load: ${lastLine(stderr) || `exit code ${code}`}`);
  }
  return JSON.parse(lastLine(stdout)) as ParityKit;
}

/** What one method's runs train with: the resolved config and why its backbone is not its default. */
export interface ParityPlan {
  method: string;
  config: RunConfig;
  note: string | null;
}

/** The method ids of a --method value: one id or a comma-separated list. */
export function parityMethods(spec: string[]): string[] {
  return [
    ...new Set(
      spec
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * Each method's config (its defaults, the flags, the epochs; seed 0 — each run sets its own), refusing
 * with a ParityRefused a method without a recipe or a backbone the kit does not build. Without
 * --backbone a method whose default backbone the kit does not build trains on the ConvNet, and says so.
 */
export function planParity(options: ParityOptions, kit: ParityKit): ParityPlan[] {
  const ids = parityMethods(options.methods);
  if (ids.length === 0)
    throw new ParityRefused('bench parity needs --method (one id or a comma-separated list)');
  for (const id of ids) {
    getMethod(id);
    if (!kit.recipes.includes(id)) {
      throw new ParityRefused(
        `no PyTorch reference recipe for ${id} in bench/parity/recipes; there are: ${kit.recipes.join(', ')}`,
      );
    }
  }
  for (const id of ids) {
    const known = kit.ablations[id] ?? {};
    const ablation = Object.entries(options.ablation ?? {});
    const unknown = ablation.map(([k]) => k).filter((k) => !Object.hasOwn(known, k));
    if (unknown.length) {
      const switches = Object.entries(known).map(([k, v]) => `${k}=${v}`);
      throw new ParityRefused(
        `${id}'s reference has no ablation ${unknown.join(', ')}; it knows: ${switches.join(', ') || 'none'}`,
      );
    }
    for (const [key, value] of ablation) {
      if (value !== known[key]) {
        throw new ParityRefused(`${id}'s reference ablation ${key} takes ${known[key]} only, not ${value}`);
      }
    }
  }
  if (options.backbone !== undefined && !kit.backbones.includes(options.backbone)) {
    throw new ParityRefused(
      `the parity kit builds the ${kit.backbones.join(' and ')} backbones only, not ${options.backbone}`,
    );
  }
  return ids.map((id) => {
    const method = getMethod(id);
    const known = Object.keys(methodSchema(method).shape);
    const set = { ...options.set };
    // As bench quality: with several methods a field only some have applies to those.
    if (ids.length > 1) for (const k of Object.keys(set)) if (!known.includes(k)) delete set[k];
    // Our run's final linear probe is not compared (the kit has none): off unless set.
    const input: Record<string, unknown> = {
      linearProbe: false,
      ...set,
      epochs: options.epochs ?? 10,
      seed: 0,
    };
    let note: string | null = null;
    const ownBackbone = resolveConfig(method, {}).backbone;
    if (options.backbone !== undefined) input.backbone = options.backbone;
    else if (!kit.backbones.includes(ownBackbone)) {
      input.backbone = 'convnet';
      note = `${id}'s default backbone ${ownBackbone} is not in the parity kit; both sides train the convnet`;
    }
    if (options.width !== undefined) input.width = options.width;
    if (options.batchSize !== undefined) input.batchSize = options.batchSize;
    return { method: id, config: resolveConfig(method, input), note };
  });
}

/** Our side of one seed, from the in-process run's record. */
function oursSide(r: RunRecord): ParitySide {
  const ok = r.outcome === 'completed';
  return {
    knnStart: r.knnStart,
    knnEnd: r.knnEnd,
    gain: ok && r.knnStart !== null && r.knnEnd !== null ? r.knnEnd - r.knnStart : null,
    finalLoss: r.lossLast,
    trainSeconds: r.trainSeconds,
    wallSeconds: r.wallSeconds,
    imagesPerSecond: r.imagesPerSecond !== null ? r.imagesPerSecond / r.viewsPerImage : null,
    steps: r.steps,
    error: r.error ?? (ok ? null : r.outcome),
  };
}

/** What run.py prints. */
interface ReferenceJson {
  reference: string;
  train_images: number;
  test_images: number;
  threads: number;
  steps: number;
  knn_top1_init: number;
  knn_top1: number;
  final_loss: number;
  train_s: number;
  wall_s: number;
  train_images_per_s: number | null;
}

const failedSide = (error: string): ParitySeed['reference'] => ({
  knnStart: null,
  knnEnd: null,
  gain: null,
  finalLoss: null,
  trainSeconds: null,
  wallSeconds: null,
  imagesPerSecond: null,
  steps: null,
  error,
  threads: null,
  reference: null,
});

/** The bench's dataset: CIFAR-10, the flags' folder and sizes. */
function parityData(options: ParityData): RunData {
  const data: RunData = { dataset: 'cifar10' };
  if (options.dataDir !== undefined) data.dataDir = options.dataDir;
  if (options.trainSize !== undefined) data.trainSize = options.trainSize;
  if (options.testSize !== undefined) data.testSize = options.testSize;
  return data;
}

/** Trains the reference recipe with the same config and seed (run.py), the config passed as a temp JSON. */
async function referenceSide(
  plan: ParityPlan,
  seed: number,
  options: ParityOptions,
): Promise<{ side: ParitySeed['reference']; json: ReferenceJson | null }> {
  const dataset = benchDataset(parityData(options));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-parity-'));
  const file = path.join(dir, 'config.json');
  try {
    const spec = {
      method: plan.method,
      config: { ...plan.config, seed },
      dataset: {
        dataDir: dataset.dataDir,
        trainSize: dataset.trainSize ?? null,
        testSize: dataset.testSize ?? null,
        imageSize: 32,
      },
      ablation: options.ablation ?? {},
    };
    fs.writeFileSync(file, JSON.stringify(spec));
    const threads = options.threads ?? os.availableParallelism();
    const args = [parityRunScript, '--config', file, '--seed', String(seed), '--threads', String(threads)];
    const log = options.log;
    const { code, stdout, stderr } = await runPython(options.python ?? defaultPython, args, log);
    if (code !== 0) return { side: failedSide(lastLine(stderr) || `exit code ${code}`), json: null };
    const r = JSON.parse(lastLine(stdout)) as ReferenceJson;
    return {
      json: r,
      side: {
        knnStart: r.knn_top1_init,
        knnEnd: r.knn_top1,
        gain: r.knn_top1 - r.knn_top1_init,
        finalLoss: r.final_loss,
        trainSeconds: r.train_s,
        wallSeconds: r.wall_s,
        imagesPerSecond: r.train_images_per_s,
        steps: r.steps,
        error: null,
        threads: r.threads,
        reference: r.reference,
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The verdict on the mean gains: ratio ≥ PARITY_RATIO, or ours within the larger of the two spreads. A
 * reference whose mean gain is not above its own seeds' spread has nothing to be at parity with: a ratio
 * to a gain that is mostly noise (SwAV at 10 epochs: 0.1 ± 0.8 points) says nothing.
 */
export function parityVerdict(
  ours: MeanStd | null,
  reference: MeanStd | null,
  seeds: number,
): Pick<ParityRow, 'ratio' | 'verdict'> {
  if (!ours || !reference || ours.n < seeds || reference.n < seeds) return { ratio: null, verdict: 'failed' };
  if (!(reference.mean > 0)) return { ratio: null, verdict: 'reference did not learn' };
  const ratio = ours.mean / reference.mean;
  if (reference.n > 1 && reference.mean <= reference.std)
    return { ratio, verdict: 'reference did not learn clearly' };
  if (ratio >= PARITY_RATIO) return { ratio, verdict: 'parity' };
  const spread = Math.max(ours.std, reference.std);
  return { ratio, verdict: reference.mean - ours.mean <= spread ? 'within spread' : 'below' };
}

/**
 * Trains every method on both sides for seeds 0 … seeds−1, ours first (as bench quality does, in this
 * process), then the reference with the same config and seed. `kit` comes from parityKit, which the
 * caller runs (and planParity checks against) before anything trains.
 */
export async function benchParity(options: ParityOptions, kit: ParityKit): Promise<ParityRow[]> {
  const plans = planParity(options, kit);
  const seeds = options.seeds ?? 3;
  const log = options.log ?? (() => {});
  const rows: ParityRow[] = [];
  for (const plan of plans) {
    const method = getMethod(plan.method);
    const { config } = plan;
    if (plan.note) log(`parity: ${plan.note}`);
    const runs: ParitySeed[] = [];
    let trainImages: number | null = null;
    let testImages: number | null = null;
    let batchSize = config.batchSize;
    for (let seed = 0; seed < seeds; seed++) {
      if (options.shouldStop?.()) break;
      log(
        `parity: ${plan.method} seed ${seed}: ours (${config.backbone} width ${config.width}, ` +
          `${config.epochs} epoch${config.epochs === 1 ? '' : 's'})`,
      );
      const record = await recordRun(
        method,
        { ...config, seed },
        parityData(options),
        options.backend ?? 'auto',
        options,
      );
      batchSize = record.batchSize;
      if (options.shouldStop?.()) break;
      log(`parity: ${plan.method} seed ${seed}: the PyTorch reference`);
      const { side, json } = await referenceSide(plan, seed, options);
      trainImages = json?.train_images ?? trainImages;
      testImages = json?.test_images ?? testImages;
      const result: ParitySeed = { seed, ours: oursSide(record), reference: side };
      runs.push(result);
      options.onSeed?.(plan.method, result);
    }
    const gains = (side: 'ours' | 'reference') =>
      runs.map((r) => r[side].gain).filter((g): g is number => g !== null);
    const ours = meanStd(gains('ours'));
    const reference = meanStd(gains('reference'));
    rows.push({
      method: plan.method,
      backbone: config.backbone,
      width: config.width,
      batchSize,
      epochs: config.epochs,
      trainImages,
      testImages,
      note: plan.note,
      seeds: runs,
      reference,
      ours,
      ...parityVerdict(ours, reference, seeds),
    });
  }
  return rows;
}

const points = (m: MeanStd | null) =>
  m === null ? '–' : `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)}`;

const header = [
  'method',
  'budget',
  'seeds',
  'reference kNN gain',
  'ours kNN gain',
  'ours / reference',
  'verdict',
];

function cells(r: ParityRow): string[] {
  return [
    r.method,
    `${r.backbone} w${r.width}, batch ${r.batchSize}, ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}, ` +
      `${r.trainImages ?? '?'} images`,
    String(r.seeds.length),
    points(r.reference),
    points(r.ours),
    r.ratio === null ? '–' : r.ratio.toFixed(2),
    r.verdict,
  ];
}

/** Seconds of training per epoch, each side, averaged over the seeds: what sizes a longer run. */
function paceNote(r: ParityRow): string {
  const per = (side: 'ours' | 'reference') => {
    const xs = r.seeds.map((s) => s[side].trainSeconds).filter((x): x is number => x !== null);
    return xs.length ? `${(xs.reduce((a, b) => a + b, 0) / xs.length / r.epochs).toFixed(1)} s` : '–';
  };
  return `${r.method}: training per epoch: ours ${per('ours')}, reference ${per('reference')}`;
}

function notes(rows: ParityRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    if (r.note) lines.push(`${r.method}: ${r.note}`);
    for (const s of r.seeds) {
      if (s.ours.error) lines.push(`${r.method} seed ${s.seed}: ours failed: ${s.ours.error}`);
      if (s.reference.error)
        lines.push(`${r.method} seed ${s.seed}: the reference failed: ${s.reference.error}`);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** The text table: the gains in points (mean ± std over the seeds), then notes and each side's pace. */
export function parityTable(rows: ParityRow[]): string {
  const table = [header, ...rows.map(cells)];
  const widths = header.map((_, i) => Math.max(...table.map((c) => c[i]!.length)));
  const lines = table.map((c) =>
    c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  '),
  );
  return `${lines.join('\n')}\n${notes(rows)}${rows.map((r) => `${paceNote(r)}\n`).join('')}`;
}

/** The README's table. */
export function parityMarkdown(rows: ParityRow[]): string {
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  const align = header.map((_, i) => (i < 2 ? '---' : '---:'));
  const n = notes(rows);
  return (
    [line(header), line(align), ...rows.map((r) => line(cells(r)))].join('\n') + '\n' + (n ? `\n${n}` : '')
  );
}
