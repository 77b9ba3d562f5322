import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startCli, tempDir } from '../helpers/cli';

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-signals-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const fast = ['--width', '8', '--batch-size', '64', '--set', 'projectionHiddenDim=64'];

/** The run of a database and its checkpoints' steps, read as they are (no engine opens it). */
function recorded(file: string): { status: string; steps: number[]; lastStep: number } {
  const db = new Database(file, { readonly: true });
  try {
    const run = db.prepare('SELECT id, status FROM runs').get() as { id: number; status: string };
    const steps = db
      .prepare('SELECT step FROM checkpoints WHERE run_id = ? ORDER BY step')
      .pluck()
      .all(run.id) as number[];
    const lastStep = db
      .prepare('SELECT MAX(step) FROM metrics WHERE run_id = ?')
      .pluck()
      .get(run.id) as number;
    return { status: run.status, steps, lastStep };
  } finally {
    db.close();
  }
}

describe('contrastlab train stops cleanly on the signals that end a process', () => {
  // `kill`, `timeout` and systemd send SIGTERM; closing the terminal sends SIGHUP.
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal}: status stopped, with the stop checkpoint`, async () => {
      const file = path.join(dir, `${signal}.db`);
      const child = startCli([
        'train',
        '--method',
        'simclr',
        '--epochs',
        '50',
        ...fast,
        '--db',
        file,
        '--json',
      ]);
      let out = '';
      let signalled = false;
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        // After a step: the run has a state worth keeping.
        if (!signalled && out.includes('"event":"progress"')) {
          signalled = true;
          child.kill(signal);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(signalled).toBe(true);
      expect(code).toBe(130);
      expect(jsonLines(out).at(-1)).toMatchObject({ event: 'finished', status: 'stopped' });
      const run = recorded(file);
      expect(run.status).toBe('stopped');
      // The stop checkpoint: the state at the step it stopped at, the last one saved.
      expect(run.lastStep).toBeGreaterThan(0);
      expect(run.steps[0]).toBe(0);
      expect(run.steps.at(-1)).toBe(run.lastStep);
    });
  }
});
