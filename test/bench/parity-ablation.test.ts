import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getMethod, resolveConfig } from '../../src-main/engine/methods';
import { repoRoot, sharedDir, tempDir } from '../helpers/cli';

/**
 * A reference's ablation switches (run.py's "ablation"): one piece done ours' way, to measure whether it
 * explains a gap. BYOL's target_init: 'copy' starts the target as the online network, as ours does.
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

describe("the references' ablation switches", () => {
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
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
