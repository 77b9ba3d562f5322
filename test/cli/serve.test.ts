import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../helpers/cli';
import { call } from '../helpers/runs';

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-serve-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('contrastlab serve', () => {
  it('prints one URL with its token, serves the API on it, and exits cleanly on SIGTERM', async () => {
    // The default database (here through CONTRASTLAB_DB) is made on the workbench's first start; a
    // database named with --db must exist (test/cli/database.test.ts).
    const db = path.join(dir, 'lab.db');
    const child = startCli(['serve', '--port', '0', '--static', path.join(dir, 'nothing-built')], {
      CONTRASTLAB_DB: db,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 300 && !stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
      const match =
        /^ContrastLab is running at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64}))\n$/.exec(stdout);
      expect(match, stdout + stderr).not.toBeNull();
      const [, , port, token] = match!;
      const base = `http://127.0.0.1:${port}`;
      expect(stderr).toMatch(/no built renderer/);
      expect((await call(base, 'listRuns', [])).status).toBe(401);
      const runs = await call(base, 'listRuns', [], { 'x-contrastlab-token': token! });
      expect(runs).toMatchObject({ status: 200, body: { result: [] } });
      const page = await fetch(`${base}/?token=${token}`);
      expect(page.status).toBe(503);
      expect(await page.text()).toMatch(/npm run build/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
  });

  it('refuses a bad port with a one-line error', async () => {
    const r = await runCli(['serve', '--port', 'eighty', '--db', path.join(dir, 'x.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('contrastlab: --port must be an integer from 0 to 65535, got "eighty"\n');
  });
});
