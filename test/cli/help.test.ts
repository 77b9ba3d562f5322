import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli';

const commands = [
  'methods',
  'train',
  'resume',
  'runs',
  'export',
  'check-loss',
  'serve',
  'bench',
  'probe',
  'grid',
  'sync',
  'stop',
  'slurm-task',
  'finetune',
  'distill',
  'transfer',
];
const version = (
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

describe('contrastlab --help and --version', () => {
  for (const command of commands) {
    it(`${command} --help prints its usage and exits 0`, async () => {
      // Both spellings side by side: each is a process start, most of it waiting on the loader.
      const replies = await Promise.all(['--help', '-h'].map((flag) => runCli([command, flag])));
      for (const r of replies) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^usage: contrastlab ${command}\\b`));
      }
    });
  }

  it('the top-level usage names every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of [...commands, 'version'])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${command}\\s`));
    expect(r.stdout).toMatch(/--version/);
  });

  it('--version and version print the package version and exit 0', async () => {
    for (const args of [['--version'], ['-v'], ['version']]) {
      const r = await runCli(args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`contrastlab ${version}\n`);
    }
  });

  it('an unknown option is still one line and exit code 2', async () => {
    const r = await runCli(['runs', '--hepl']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--hepl/);
  });
});
