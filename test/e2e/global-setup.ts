import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds the renderer (unless E2E_SKIP_BUILD=1 and a build exists). */
function buildRenderer(): void {
  if (process.env.E2E_SKIP_BUILD === '1' && fs.existsSync(path.join(root, 'out/renderer/index.html'))) return;
  const vite = path.join(root, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error(`the renderer build failed (exit ${result.status})`);
}

/**
 * Builds the renderer, then starts `contrastlab serve` on a fresh database and any free port, and
 * hands its printed URL (token included) to the tests as E2E_URL. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  buildRenderer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-e2e-'));
  const db = path.join(dir, 'e2e.db');
  // A fresh database as the default one (CONTRASTLAB_DB), which serve makes on first start: a database
  // named with --db must already exist.
  const server = spawn(process.execPath, ['bin/contrastlab.js', 'serve', '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONTRASTLAB_TOKEN: '', CONTRASTLAB_DB: db },
  });
  let stderr = '';
  server.stderr.on('data', (d: Buffer) => (stderr += d.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve printed no URL within 60 s; stderr:\n${stderr}`)),
      60_000,
    );
    const lines = readline.createInterface({ input: server.stdout });
    lines.on('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (code ${code}) before printing its URL; stderr:\n${stderr}`));
    });
  });
  // Keep reading so the server never blocks on a full pipe.
  server.stdout.resume();

  process.env.E2E_URL = url;
  process.env.E2E_DB = db;
  process.env.E2E_TMP = dir;

  return async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(resolve, 20_000));
      await Promise.race([exited, timeout]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
