import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Run } from '../../../src-main/domain';
import { repoRoot, tempDir } from '../../helpers/cli';

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-spawn-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a worker that cannot be spawned', () => {
  it('fails its run or job with one line (EMFILE), and the host goes on', async () => {
    const host = path.join(import.meta.dirname, 'emfile-host.ts');
    // A limit as low as the one the fault was found with, so that running out is quick.
    const child = spawn(
      'sh',
      [
        '-c',
        'ulimit -n 256 && exec "$0" "$@"',
        process.execPath,
        '--import',
        'tsx',
        host,
        path.join(dir, 'lab.db'),
      ],
      { cwd: repoRoot },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout) as { done: string; starved: Run; job: Job; after: string };
    expect(out.done).toBe('completed');
    expect(out.starved.status).toBe('failed');
    expect(out.starved.error).toMatch(
      /^could not start the run's worker: EMFILE \(this process has too many open files\): spawn /,
    );
    expect(out.starved.error).not.toContain('\n');
    expect(out.job.status).toBe('failed');
    expect(out.job.error).toMatch(/^could not start the job's worker: EMFILE/);
    expect(out.after).toBe('completed');
  });
});
