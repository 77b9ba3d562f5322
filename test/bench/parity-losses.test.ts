import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, sharedDir, tempDir } from '../helpers/cli';

const python = '/usr/bin/python3';
const script = path.join(repoRoot, 'bench/parity/check_losses.py');
const fixtures = path.join(sharedDir, 'fixtures/losses');
const hasTorch = spawnSync(python, ['-c', 'import torch, torchvision']).status === 0;
const noTorch =
  'python3-torch and python3-torchvision are not installed (apt-get install -y python3-torch python3-torchvision)';

interface Case {
  file?: string;
  recipe: string;
  loss?: string;
  ok: boolean;
  errors?: Record<string, number>;
  error?: string;
}

function check(
  dir: string,
  ...extra: string[]
): { code: number | null; out: { ok: boolean; cases: Case[]; missing: string[] } } {
  const r = spawnSync(python, [script, '--fixtures', dir, ...extra], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: JSON.parse(r.stdout.trim().split('\n').at(-1)!) };
}

/** The recipes' ids: every recipes/<id>.py but the package's own file. */
const recipes = fs
  .readdirSync(path.join(repoRoot, 'bench/parity/recipes'))
  .filter((f) => f.endsWith('.py') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));

describe("the PyTorch references' losses against the float64 fixtures", () => {
  it('every FIXTURES entry of every recipe agrees with its fixtures, value and gradients', (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const { code, out } = check(fixtures);
    for (const c of out.cases) expect(c, JSON.stringify(c)).toMatchObject({ ok: true });
    expect(out.missing).toEqual([]);
    expect(code).toBe(0);
    expect(out.ok).toBe(true);
    // Every recipe loads (one that does not is a failed case); SimCLR's NT-Xent is proved on both cases.
    for (const c of out.cases) expect(recipes).toContain(c.recipe);
    const simclr = out.cases.filter((c) => c.recipe === 'simclr').map((c) => c.file);
    expect(simclr.sort()).toEqual(['nt_xent-1.json', 'nt_xent-2.json']);
    for (const c of out.cases) expect(Object.keys(c.errors!)).toContain('loss');
  }, 120_000);

  it('fails, exit code 1, where a fixture disagrees (a temperature the fixture was not made with)', (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const dir = tempDir('contrastlab-fixtures-');
    try {
      const fixture = JSON.parse(fs.readFileSync(path.join(fixtures, 'nt_xent-1.json'), 'utf8')) as {
        params: { temperature: number };
      };
      fixture.params.temperature *= 1.001;
      fs.writeFileSync(path.join(dir, 'nt_xent-1.json'), JSON.stringify(fixture));
      const { code, out } = check(dir, '--recipe', 'simclr');
      expect(code).toBe(1);
      expect(out.ok).toBe(false);
      expect(out.cases).toHaveLength(1);
      expect(out.cases[0]).toMatchObject({ recipe: 'simclr', file: 'nt_xent-1.json', ok: false });
      expect(out.cases[0]!.errors!.loss).toBeGreaterThan(1e-6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
