import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getMethod, resolveConfig } from '../../src-main/engine/methods';
import { repoRoot, sharedDir, tempDir } from '../helpers/cli';

/**
 * A reference's ablation switches (run.py's "ablation"): one piece done ours' way, to measure whether it
 * explains a gap. BYOL's target_init: 'copy' starts the target as the online network, as ours does;
 * SimCLR's switches each undo one way the released code differs from ours.
 */
const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, torchvision']).status === 0;
const noTorch =
  'python3-torch and python3-torchvision are not installed (apt-get install -y python3-torch python3-torchvision)';

const config = resolveConfig(getMethod('byol'), { backbone: 'convnet', width: 4, epochs: 1 });

/** Whether the BYOL reference's target starts equal to its online network, with these switches. */
function targetStartsAsOnline(ablation: Record<string, string>): boolean {
  const code = `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.join(repoRoot, 'bench/parity'))})
import common
from recipes import byol
cfg = json.loads(sys.argv[1])
common.seed_everything(0)
r = byol.build(cfg, common)
same = all(bool((a == b).all()) for a, b in zip(r.online_parameters(), r.target_parameters()))
print(json.dumps(same))`;
  const r = spawnSync(python, ['-c', code, JSON.stringify({ ...config, ablation })], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as boolean;
}

/** SimCLR's released recipe: fields of ours that both sides follow. */
const simclrConfig = resolveConfig(getMethod('simclr'), {
  backbone: 'convnet',
  width: 4,
  epochs: 1,
  headOutput: 'batch-norm',
  nesterov: true,
  exemptNormsFromDecay: true,
});

/** What each SimCLR switch changes in the reference, read off the built recipe. */
interface SimclrPieces {
  /** The head's layers by class name, and whether its last dense layer has a bias. */
  head: string[];
  lastDenseBias: boolean;
  /** The first dense layer's weights: the largest magnitude, and 1/√fan_in. */
  maxWeight: number;
  uniformBound: number;
  stdWeight: number;
  /** The SGD groups: how many parameters, and their weight decay; and whether SGD is Nesterov's. */
  groups: { size: number; weightDecay: number }[];
  nesterov: boolean;
  /** The loss of the same two views, as a multiple of the released (summed) loss. */
  loss: number;
}

function simclrPieces(ablation: Record<string, string>, set: Record<string, unknown> = {}): SimclrPieces {
  const code = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(path.join(repoRoot, 'bench/parity'))})
import common
from recipes import simclr
cfg = json.loads(sys.argv[1])
common.seed_everything(0)
r = simclr.build(cfg, common)
head = [type(m).__name__ for m in r.head]
dense = [m for m in r.head if isinstance(m, torch.nn.Linear)]
w = dense[0].weight.detach()
groups = r.param_groups()
nesterov = common.make_optimizer(cfg, groups).defaults['nesterov']
# The loss alone: the same embeddings through an identity network.
torch.manual_seed(2)
released = simclr.contrastive_loss(torch.randn(8, 5), torch.randn(8, 5), 0.5)
torch.manual_seed(2)
z1, z2 = torch.randn(8, 5), torch.randn(8, 5)
r.head = torch.nn.Identity()
r.encoder = torch.nn.Identity()
loss = r.loss([torch.cat([z1, z2])[:8], torch.cat([z1, z2])[8:]], None)
print(json.dumps({
  'head': head,
  'lastDenseBias': dense[-1].bias is not None,
  'maxWeight': float(w.abs().max()), 'uniformBound': w.shape[1] ** -0.5, 'stdWeight': float(w.std()),
  'groups': [{'size': len(g['params']), 'weightDecay': g['weight_decay']} for g in groups],
  'nesterov': nesterov,
  'loss': float(loss / released),
}))`;
  const cfg = { ...simclrConfig, temperature: 0.5, ...set, ablation };
  const r = spawnSync(python, ['-c', code, JSON.stringify(cfg)], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as SimclrPieces;
}

describe("the references' ablation switches", () => {
  it("SimCLR's released recipe: its config fields followed, its two switches each ours' way alone", (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const wd = simclrConfig.weightDecay;
    const released = simclrPieces({});
    // google-research/simclr: an output BN, no biases, N(0, 0.01²) dense kernels, BN undecayed, Nesterov.
    expect(released.head).toEqual(['Linear', 'BatchNorm1d', 'ReLU', 'Linear', 'BatchNorm1d']);
    expect(released.lastDenseBias).toBe(false);
    expect(released.stdWeight).toBeGreaterThan(0.008);
    expect(released.stdWeight).toBeLessThan(0.012);
    expect(released.groups.map((g) => g.weightDecay)).toEqual([wd, 0]);
    expect(released.nesterov).toBe(true);
    expect(released.loss).toBeCloseTo(1, 6);
    const all = released.groups.reduce((n, g) => n + g.size, 0);

    // Ours' defaults, which the kit follows as ours does: a biased output layer, every parameter
    // decayed, plain momentum.
    const defaults = { headOutput: 'linear', nesterov: false, exemptNormsFromDecay: false };
    const plain = simclrPieces({}, defaults);
    expect(plain.head).toEqual(['Linear', 'BatchNorm1d', 'ReLU', 'Linear']);
    expect(plain.lastDenseBias).toBe(true);
    // The same number of tensors: the output layer's bias in place of the output BN's γ.
    expect(plain.groups).toEqual([{ size: all, weightDecay: wd }]);
    expect(all).toBeGreaterThan(10);
    expect(plain.nesterov).toBe(false);

    // U(±1/√fan_in): within the bound, and a std of bound/√3, far from 0.01 at this fan-in.
    const init = simclrPieces({ init: 'ours' });
    expect(init.maxWeight).toBeLessThanOrEqual(init.uniformBound);
    expect(init.stdWeight).toBeCloseTo(init.uniformBound / Math.sqrt(3), 2);
    expect(init.head).toEqual(released.head);

    expect(simclrPieces({ loss: 'mean' }).loss).toBeCloseTo(0.5, 6);
  }, 60_000);

  it("BYOL's target: its own random draw as released, or a copy of the online network as ours", (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    expect(targetStartsAsOnline({})).toBe(false);
    expect(targetStartsAsOnline({ target_init: 'copy' })).toBe(true);
  }, 60_000);

  it('refuses a switch the recipe does not know, in one line, before training', (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const dir = tempDir('contrastlab-ablation-');
    try {
      const file = path.join(dir, 'cfg.json');
      const dataDir = path.join(sharedDir, 'data/cifar10-subset');
      const spec = { method: 'byol', config, dataset: { dataDir, trainSize: 128, testSize: 64 } };
      fs.writeFileSync(file, JSON.stringify({ ...spec, ablation: { nesterov: 'off' } }));
      const script = path.join(repoRoot, 'bench/parity/run.py');
      const r = spawnSync(python, [script, '--config', file, '--seed', '0'], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toBe('parity: byol has no ablation nesterov; it knows: target_init');
      // A known switch with a value it does not take.
      fs.writeFileSync(file, JSON.stringify({ ...spec, ablation: { target_init: 'draw' } }));
      const bad = spawnSync(python, [script, '--config', file, '--seed', '0'], { encoding: 'utf8' });
      expect(bad.status).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr.trim()).toBe("parity: byol's ablation target_init takes copy only, not draw");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
