/**
 * The layer rules of .dependency-cruiser.cjs (docs/ARCHITECTURE.md, "Layers") catch what they are
 * for: `npm test` runs them over the real tree (`npm run check:deps`); here they run over a small tree
 * of files written for the purpose, each breaking one rule, so a rule that stopped matching fails here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from './helpers/cli';

let dir: string;

/** Writes files (path → source) into a fresh tree and returns the rule names depcruise reports. */
function violations(files: Record<string, string>): string[] {
  fs.rmSync(path.join(dir, 'src-main'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'src-renderer'), { recursive: true, force: true });
  for (const [file, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), source);
  }
  const roots = ['src-main', 'src-renderer'].filter((r) => fs.existsSync(path.join(dir, r)));
  const r = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      ...roots,
      '--config',
      path.join(repoRoot, '.dependency-cruiser.cjs'),
      '--output-type',
      'json',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  const report = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string } }[] } };
  return [...new Set(report.summary.violations.map((v) => v.rule.name))].sort();
}

beforeAll(() => {
  dir = tempDir('contrastlab-deps-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('dependency rules', () => {
  it('accept imports that go downward', () => {
    expect(
      violations({
        'src-main/domain/run.ts': 'export type Run = { id: number };\n',
        'src-main/api/commands.ts': "import type { Run } from '../domain/run';\nexport type R = Run;\n",
        'src-main/engine/store/store.ts':
          "import type { Run } from '../../domain/run';\nexport type S = Run;\n",
        'src-main/cli/main.ts': "import type { S } from '../engine/store/store';\nexport type C = S;\n",
      }),
    ).toEqual([]);
  });

  it('refuse an import cycle', () => {
    expect(
      violations({
        'src-main/engine/runner/train.ts': "import { d } from './diagnostics';\nexport const t = () => d;\n",
        'src-main/engine/runner/diagnostics.ts': "import { t } from './train';\nexport const d = () => t;\n",
      }),
    ).toContain('no-circular');
  });

  it('refuse an import from a lower layer to a higher one, type-only imports included', () => {
    expect(
      violations({
        'src-main/engine/data/views.ts': "import type { M } from '../methods/method';\nexport type V = M;\n",
        'src-main/engine/methods/method.ts': 'export type M = number;\n',
      }),
    ).toEqual(['engine/data-imports-downward']);
  });

  it('keep the domain free of the project, the renderer on the API, and the engine out of Electron main', () => {
    expect(
      violations({
        'src-main/domain/run.ts': "import { x } from '../engine/util/rng';\nexport const r = x;\n",
        'src-main/engine/util/rng.ts': 'export const x = 1;\n',
        'src-renderer/src/App.ts':
          "import { x } from '../../src-main/engine/util/rng';\nexport const a = x;\n",
        'src-main/app/main.ts': "import { x } from '../engine/util/rng';\nexport const m = x;\n",
        'src-main/cli/main.ts': "import { m } from '../app/main';\nexport const c = m;\n",
      }),
    ).toEqual([
      'app-does-not-host-the-engine',
      'cli-is-independent',
      'domain-imports-downward',
      'domain-imports-nothing-of-the-project',
      'renderer-sees-only-the-api',
    ]);
  });
});
