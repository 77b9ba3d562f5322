/**
 * The batch script the workbench hands to sbatch: its #SBATCH lines come from the cluster profile, and
 * an array job's task i trains run folder i. The scripts are run for real through bash (with a launch
 * command that prints its arguments) and, where there is a cluster, checked by `sbatch --test-only`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSlurmProfile, type SlurmProfile } from '../../../../src-main/domain';
import {
  renderBatchScript,
  type BatchScriptInput,
} from '../../../../src-main/engine/services/slurm/batch-script';
import { tempDir } from '../../../helpers/cli';
import { slurmMissing } from '../../../helpers/slurm';

const missing = slurmMissing();

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-batch-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Prints each argument it gets on a line of its own, in brackets: word splitting would show. */
const printArgs = `printf '[%s]\\n'`;

const input = (over: Partial<BatchScriptInput> = {}): BatchScriptInput => ({
  profile: defaultSlurmProfile,
  jobName: 'contrastlab-run-7',
  runDirs: ['/shared/run-7'],
  outputPattern: '/shared/run-7/slurm-%j.out',
  launch: printArgs,
  ...over,
});

const directives = (script: string) =>
  script
    .split('\n')
    .filter((l) => l.startsWith('#SBATCH'))
    .map((l) => l.slice('#SBATCH '.length));

/** Runs a script with bash as Slurm would start it on a node (with the task's environment). */
function runScript(script: string, env: Record<string, string> = {}) {
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.sbatch`);
  fs.writeFileSync(file, script);
  const { SLURM_ARRAY_TASK_ID: _, ...rest } = process.env;
  return spawnSync('bash', [file], { env: { ...rest, ...env }, encoding: 'utf8' });
}

const fullProfile: SlurmProfile = {
  partition: 'gpu-a100',
  account: 'ssl-lab',
  timeLimit: '1-02:30:00',
  cpusPerTask: 8,
  memory: '32G',
  gres: 'gpu:1',
  extraDirectives: ['--qos=short', '#SBATCH --constraint=a100', '  ', '--mail-type=END'],
  sharedDir: '/shared',
  launchCommand: 'unused here',
};

describe('renderBatchScript', () => {
  it('writes an #SBATCH line for every profile field, before the first command', () => {
    const script = renderBatchScript(input({ profile: fullProfile }));
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(directives(script)).toEqual([
      '--job-name=contrastlab-run-7',
      '--output="/shared/run-7/slurm-%j.out"',
      '--ntasks=1',
      '--cpus-per-task=8',
      '--no-requeue',
      '--time=1-02:30:00',
      '--partition=gpu-a100',
      '--account=ssl-lab',
      '--mem=32G',
      '--gres=gpu:1',
      '--qos=short',
      '--constraint=a100',
      '--mail-type=END',
    ]);
    // sbatch stops reading #SBATCH lines at the first command: every one comes before it.
    const lines = script.split('\n');
    const firstCommand = lines.findIndex((l, i) => i > 0 && l.trim() !== '' && !l.startsWith('#'));
    const lastDirective = lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true);
    expect(lastDirective).toBeLessThan(firstCommand);
    expect(script).not.toMatch(/--array/);
  });

  it('omits empty fields: no partition, account, time, memory or gres line', () => {
    const blank = { ...fullProfile, partition: '', account: ' ', timeLimit: '', memory: '', gres: '\t' };
    const ds = directives(renderBatchScript(input({ profile: { ...blank, extraDirectives: [] } })));
    expect(ds).toEqual([
      '--job-name=contrastlab-run-7',
      '--output="/shared/run-7/slurm-%j.out"',
      '--ntasks=1',
      '--cpus-per-task=8',
      '--no-requeue',
    ]);
    // The default profile: only its time limit and CPUs besides the fixed lines.
    expect(directives(renderBatchScript(input()))).toEqual([
      '--job-name=contrastlab-run-7',
      '--output="/shared/run-7/slurm-%j.out"',
      '--ntasks=1',
      `--cpus-per-task=${defaultSlurmProfile.cpusPerTask}`,
      '--no-requeue',
      `--time=${defaultSlurmProfile.timeLimit}`,
    ]);
  });

  it('refuses a profile field with a line break, in one line naming the field', () => {
    const cases: [Partial<SlurmProfile>, RegExp][] = [
      [{ partition: 'gpu\n#SBATCH --account=someone-else' }, /partition/],
      [{ account: 'lab\r' }, /account/],
      [{ timeLimit: '60\nrm -rf ~' }, /time limit/],
      [{ memory: '8G\n' }, /memory/],
      [{ gres: 'gpu:1\nwhoami' }, /gres/],
      [{ extraDirectives: ['--qos=short', '--comment=a\nb'] }, /extra #SBATCH line/],
    ];
    for (const [over, field] of cases) {
      let message = '';
      try {
        renderBatchScript(input({ profile: { ...defaultSlurmProfile, ...over } }));
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(field);
      expect(message).toMatch(/must be one line$/);
      expect(message).not.toMatch(/[\r\n]/);
    }
    expect(() => renderBatchScript(input({ launch: 'node\nbin/contrastlab.js' }))).toThrow(
      /launch command must be one line/,
    );
    expect(() => renderBatchScript(input({ runDirs: [] }))).toThrow(/at least one run/);
  });

  it('one run: no array; bash runs the launch command with the folder as one argument', () => {
    const folder = "/shared/my lab/it's run-7";
    const script = renderBatchScript(input({ runDirs: [folder] }));
    expect(script).not.toMatch(/SLURM_ARRAY_TASK_ID|--array/);
    const result = runScript(script);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`[slurm-task]\n[${folder}]\n`);
  });

  it('several runs: an array job whose task i gets folder i, quoted whatever the folder holds', () => {
    const folders = [
      '/shared/run-1',
      '/shared/with space/run-2',
      "/shared/it's/run-3",
      '/shared/$HOME `whoami` "double" $(id)/run-4',
      '/shared/glob * ? [a]/~run-5',
      '/shared/new\nline/run-6',
      '-leading-dash',
    ];
    const script = renderBatchScript(input({ runDirs: folders, outputPattern: '/shared/jobs/g-%A_%a.out' }));
    expect(directives(script)).toContain(`--array=0-${folders.length - 1}`);
    expect(directives(script)).toContain('--output="/shared/jobs/g-%A_%a.out"');
    for (const [i, folder] of folders.entries()) {
      const result = runScript(script, { SLURM_ARRAY_TASK_ID: String(i) });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`[slurm-task]\n[${folder}]\n`);
    }
  });

  it('an array script started without a task id fails instead of training some run', () => {
    const script = renderBatchScript(input({ runDirs: ['/a', '/b'] }));
    const result = runScript(script);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/SLURM_ARRAY_TASK_ID/);
  });
});

describe.skipIf(missing !== null)('the rendered script on the real cluster', () => {
  const partition = () =>
    execFileSync('sinfo', ['-h', '-o', '%P'], { encoding: 'utf8' }).split('\n')[0]!.replace(/\*$/, '');

  it('sbatch --test-only accepts the directives of a full profile, and refuses an unknown one', () => {
    const script = renderBatchScript(
      input({
        profile: {
          ...fullProfile,
          partition: partition(),
          account: '',
          gres: '',
          cpusPerTask: 1,
          memory: '100M',
          timeLimit: '0:05:00',
          // Written as after "#SBATCH ": sbatch's own quoting applies to a value with a space.
          extraDirectives: ['--comment="two words"', '#SBATCH --nice=10'],
        },
        runDirs: [path.join(dir, 'run-a'), path.join(dir, 'run-b')],
        outputPattern: path.join(dir, 'g-%A_%a.out'),
      }),
    );
    const file = path.join(dir, 'test-only.sbatch');
    fs.writeFileSync(file, script);
    // --test-only validates the script and its options and says when the job would start; it submits nothing.
    const result = spawnSync('sbatch', ['--test-only', file], { encoding: 'utf8' });
    expect(result.stderr).toMatch(/to start at/);
    expect(result.status).toBe(0);
    fs.writeFileSync(
      file,
      renderBatchScript(input({ profile: { ...defaultSlurmProfile, extraDirectives: ['--nonsense=1'] } })),
    );
    expect(spawnSync('sbatch', ['--test-only', file], { encoding: 'utf8' }).status).not.toBe(0);
  });

  it("an array job in a shared folder with spaces, quotes and '#': each task prints its folder into its output file", async () => {
    // The shared folder holds the job's output files: sbatch must read their path whole.
    const shared = path.join(dir, `shared folder #1 it's`);
    const folders = [path.join(shared, 'run 1'), path.join(shared, 'run "2"')];
    const script = renderBatchScript(
      input({
        jobName: 'contrastlab-batch-script-test',
        profile: { ...defaultSlurmProfile, partition: partition(), cpusPerTask: 1, timeLimit: '2' },
        runDirs: folders,
        outputPattern: path.join(shared, 'jobs', 'g-%A_%a.out'),
      }),
    );
    fs.mkdirSync(path.join(shared, 'jobs'), { recursive: true });
    const file = path.join(shared, 'jobs', 'g.sbatch');
    fs.writeFileSync(file, script);
    const submit = spawnSync('sbatch', ['--parsable', file], { encoding: 'utf8' });
    expect(submit.stderr).toBe('');
    const jobId = submit.stdout.trim().split(';')[0]!;
    try {
      const outputs = folders.map((_, i) => path.join(shared, 'jobs', `g-${jobId}_${i}.out`));
      const end = Date.now() + 90_000;
      while (!outputs.every((o) => fs.existsSync(o) && fs.readFileSync(o, 'utf8').endsWith(']\n'))) {
        if (Date.now() > end) throw new Error(`job ${jobId} wrote no output: ${outputs.join(', ')}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      for (const [i, folder] of folders.entries()) {
        expect(fs.readFileSync(outputs[i]!, 'utf8')).toBe(`[slurm-task]\n[${folder}]\n`);
      }
    } finally {
      spawnSync('scancel', [jobId]);
    }
  });
});

if (missing) console.warn(`skipping the batch script's checks on a real cluster: ${missing}`);
