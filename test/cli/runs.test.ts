import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/engine/store/store';
import { repoRoot, runCli, tempDir, type CliResult } from '../helpers/cli';

let dir: string;
let db: string;
let ids: { completed: number; stopped: number };

/** Two runs as training leaves them: one completed with its probe, one stopped with a probe of step 0. */
function seed(file: string): { completed: number; stopped: number } {
  const store = new Store(file);
  try {
    const dataset = { id: 'synthetic' as const, trainSize: 128, testSize: 64 };
    const completed = store.createRun({
      method: 'simclr',
      dataset,
      config: { epochs: 2 },
      name: 'tiny simclr',
    });
    store.markStarted(completed.id, 'wasm', 'cpu', null);
    const stopped = store.createRun({ method: 'byol', dataset, config: { epochs: 5 }, name: 'stopped byol' });
    store.markStarted(stopped.id, 'wasm', 'cpu', null);
    const wallTime = Date.now() / 1000;
    const point = (runId: number, step: number, key: string, value: number) => ({
      runId,
      step,
      epoch: step / 2,
      key,
      value,
      wallTime,
    });
    store.addMetrics([
      point(completed.id, 0, 'knn_top1', 0.1),
      point(completed.id, 4, 'knn_top1', 0.375),
      point(completed.id, 4, 'probe_top1', 0.4219),
      point(stopped.id, 2, 'knn_top1', 0.25),
      point(stopped.id, 0, 'probe_top1', 0.3),
    ]);
    store.markEnded(completed.id, 'completed');
    store.markEnded(stopped.id, 'stopped');
    return { completed: completed.id, stopped: stopped.id };
  } finally {
    store.close();
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI on a pseudo-terminal (util-linux `script`), as a person at a terminal runs it. */
function runOnTerminal(args: string[]): Promise<CliResult> {
  const command = [process.execPath, path.join(repoRoot, 'bin/contrastlab.js'), ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: repoRoot,
      env: { ...process.env, COLUMNS: '200' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: stdout.replace(/\r\n/g, '\n'), stderr }));
  });
}

beforeAll(() => {
  dir = tempDir('contrastlab-cli-runs-');
  db = path.join(dir, 'lab.db');
  ids = seed(db);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('contrastlab runs', () => {
  it('prints a table on a terminal: the result of each run, never a probe of step 0', async () => {
    const r = await runOnTerminal(['runs', '--db', db]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^id\s+name\s+status\s+method\s+dataset\s+epochs\s+kNN top-1\s+probe top-1\s+duration$/,
    );
    const completed = lines.find((l) => l.includes('tiny simclr'))!;
    expect(completed).toMatch(
      new RegExp(
        `^\\s*${ids.completed}\\s+tiny simclr\\s+completed\\s+simclr\\s+synthetic \\(128\\)\\s+2\\s+37\\.5%\\s+42\\.2%\\s+\\d+s$`,
      ),
    );
    const stopped = lines.find((l) => l.includes('stopped byol'))!;
    expect(stopped).toMatch(/stopped\s+byol\s+synthetic \(128\)\s+5\s+25\.0% @2\s+\d+s$/);
    expect(stopped).not.toContain('30.0%');
  });

  it('prints JSON with --json on a terminal, and by default when piped, as scripts read it', async () => {
    for (const r of [
      await runOnTerminal(['runs', '--db', db, '--json']),
      await runCli(['runs', '--db', db]),
    ]) {
      expect(r.code).toBe(0);
      const runs = JSON.parse(r.stdout) as { id: number; summary: Record<string, number> }[];
      expect(runs.map((x) => x.id)).toEqual([ids.completed, ids.stopped]);
      expect(runs[0]!.summary.probe_top1).toBe(0.4219);
    }
  });
});

describe('contrastlab starts without TensorFlow.js when it will not train', () => {
  /** The modules a CLI process loaded, by URL. */
  async function loaded(args: string[]): Promise<string[]> {
    const list = path.join(dir, `imports-${args.join('_').replace(/\W/g, '')}.txt`);
    const r = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          path.join(repoRoot, 'test/helpers/record-imports.mjs'),
          path.join(repoRoot, 'bin/contrastlab.js'),
          ...args,
        ],
        { cwd: repoRoot, env: { ...process.env, RECORD_IMPORTS: list } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code, r.stderr).not.toBeNull();
    return fs.readFileSync(list, 'utf8').trim().split('\n');
  }

  it('--version, --help of the commands that train, and a mistyped command load no TensorFlow.js', async () => {
    const starts = [
      ['--version'],
      ['runs', '--help'],
      ['train', '--help'],
      ['methods', '--help'],
      ['bench', '--help'],
      ['nope'],
    ];
    const lists = await Promise.all(starts.map(loaded));
    for (const [i, urls] of lists.entries()) {
      expect(urls.length, starts[i]!.join(' ')).toBeGreaterThan(0);
      expect(
        urls.filter((u) => u.includes('@tensorflow')),
        starts[i]!.join(' '),
      ).toEqual([]);
    }
    // The check sees TensorFlow.js where it is loaded: a command that lists the methods needs it.
    expect((await loaded(['methods'])).some((u) => u.includes('@tensorflow'))).toBe(true);
  });
});
