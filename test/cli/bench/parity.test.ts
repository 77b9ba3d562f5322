import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import {
  parityMarkdown,
  parityTable,
  parityVerdict,
  type ParityRow,
} from '../../../src-main/cli/bench/parity';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, torchvision']).status === 0;
const noTorch =
  'python3-torch and python3-torchvision are not installed (apt-get install -y python3-torch python3-torchvision)';

/** One seed, one epoch of two steps on 256 images: the command's shape is tested, never its accuracy. */
const tiny = [
  '--seeds',
  '1',
  '--epochs',
  '1',
  '--backbone',
  'convnet',
  '--width',
  '4',
  '--train-size',
  '256',
  '--test-size',
  '128',
];

describe('the parity verdict', () => {
  const g = (mean: number, std: number, n = 3) => ({ mean, std, n });

  it('judges the mean gains: parity at 0.95, within the larger spread, below', () => {
    expect(parityVerdict(g(0.096, 0.01), g(0.1, 0.01), 3)).toMatchObject({ verdict: 'parity' });
    expect(parityVerdict(g(0.084, 0.024), g(0.097, 0.001), 3)).toMatchObject({ verdict: 'within spread' });
    expect(parityVerdict(g(0.05, 0.01), g(0.1, 0.01), 3)).toMatchObject({ verdict: 'below', ratio: 0.5 });
    expect(parityVerdict(g(0.1, 0.01, 2), g(0.1, 0.01), 3)).toEqual({ ratio: null, verdict: 'failed' });
  });

  it('gives no parity against a reference whose gain is not above its own seeds’ spread', () => {
    expect(parityVerdict(g(0.015, 0.012), g(-0.024, 0.007), 3)).toEqual({
      ratio: null,
      verdict: 'reference did not learn',
    });
    // SwAV, 10 epochs: the reference 0.1 ± 0.8 points, ours 0.7 ± 2.2; a ratio of 9.5 is not parity.
    const swav = parityVerdict(g(0.007, 0.022), g(0.001, 0.008), 3);
    expect(swav.verdict).toBe('reference did not learn clearly');
    expect(swav.ratio).toBeCloseTo(7, 6);
  });
});

describe('bench parity', () => {
  it('trains ours and the PyTorch reference with the same config and reports both kNN gains', async (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const r = await runCli(['bench', 'parity', '--method', 'simclr', ...tiny, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      mode: string;
      kit: { recipes: string[]; ablations: Record<string, Record<string, string>> };
      rows: ParityRow[];
    };
    expect(out.mode).toBe('parity');
    expect(out.kit.recipes).toContain('simclr');
    // Each recipe's ablation switches, with their one value, are known before anything trains.
    expect(out.kit.ablations.byol).toEqual({ target_init: 'copy' });
    expect(out.kit.ablations.simclr).toEqual({ init: 'ours', loss: 'mean' });
    const [row] = out.rows;
    expect(out.rows).toHaveLength(1);
    // The budget echoes the flags; batch 128 of 256 images is two steps.
    expect(row).toMatchObject({
      method: 'simclr',
      backbone: 'convnet',
      width: 4,
      batchSize: 128,
      epochs: 1,
      trainImages: 256,
      testImages: 128,
      note: null,
    });
    expect(row!.seeds).toHaveLength(1);
    const { ours, reference } = row!.seeds[0]!;
    for (const side of [ours, reference]) {
      expect(side.error).toBeNull();
      expect(side.steps).toBe(2);
      for (const knn of [side.knnStart!, side.knnEnd!]) {
        expect(knn).toBeGreaterThanOrEqual(0);
        expect(knn).toBeLessThanOrEqual(1);
      }
      expect(side.gain).toBeCloseTo(side.knnEnd! - side.knnStart!, 12);
      expect(side.imagesPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(side.finalLoss)).toBe(true);
    }
    expect(row!.ours).toMatchObject({ mean: ours.gain, std: 0, n: 1 });
    expect(row!.reference).toMatchObject({ mean: reference.gain, std: 0, n: 1 });
    if (reference.gain! > 0) expect(row!.ratio).toBeCloseTo(ours.gain! / reference.gain!, 12);
    else expect(row!.ratio).toBeNull();

    // The text and README tables of the same rows: the budget, the gains in points, the ratio.
    const points = (g: number) => `${(100 * g).toFixed(1)} ± 0.0`;
    const line = parityTable(out.rows).split('\n')[1]!;
    expect(line).toContain('convnet w4, batch 128, 1 epoch, 256 images');
    expect(line).toContain(points(reference.gain!));
    expect(line).toContain(points(ours.gain!));
    expect(line).toContain(row!.verdict);
    const md = parityMarkdown(out.rows).split('\n');
    expect(md[0]).toBe(
      '| method | budget | seeds | reference kNN gain | ours kNN gain | ours / reference | verdict |',
    );
    expect(md[2]).toMatch(/^\| simclr \| convnet w4, batch 128, 1 epoch, 256 images \| 1 \| /);
  }, 180_000);

  it('refuses a method without a recipe in one line, naming the recipes, before anything trains', async (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const r = await runCli(['bench', 'parity', '--method', 'supcon', ...tiny]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no PyTorch reference recipe for supcon .*there are: .*simclr/);
  }, 60_000);

  it('refuses a backbone the kit does not build in one line, before anything trains', async (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const args = ['bench', 'parity', '--method', 'simclr', ...tiny, '--backbone', 'resnet50'];
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/builds the convnet and resnet18 backbones only, not resnet50/);
  }, 60_000);

  it('refuses an ablation switch the reference recipe does not know, in one line, before anything trains', async (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const args = ['bench', 'parity', '--method', 'byol', ...tiny, '--ablation', 'nesterov=off'];
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/byol's reference has no ablation nesterov; it knows: target_init=copy$/m);
  }, 60_000);

  it('refuses a value an ablation switch does not take, in one line, before anything trains', async (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const args = ['bench', 'parity', '--method', 'simclr', ...tiny, '--ablation', 'loss=sum'];
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/simclr's reference ablation loss takes mean only, not sum$/m);
  }, 60_000);

  it('refuses a switch or a setting that is not key=value, naming its flag, in one line', async () => {
    for (const [flag, pair] of [
      ['--ablation', 'target_init'],
      ['--set', '=0.1'],
    ] as const) {
      const r = await runCli(['bench', 'parity', '--method', 'byol', ...tiny, flag, pair]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${flag} expects key=value, got "${pair}"`);
    }
  }, 60_000);

  it('says in one line that the interpreter is missing', async () => {
    const r = await runCli([
      'bench',
      'parity',
      '--method',
      'simclr',
      ...tiny,
      '--python',
      '/nonexistent/python3',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bench parity needs \/nonexistent\/python3 with PyTorch/);
  }, 60_000);
});
