import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli';

describe('a reader that closes standard output early', () => {
  it('ends the command quietly, without an EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/contrastlab.js'), 'methods', '--json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before the command writes anything (as `| head -c 0` would): every write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
