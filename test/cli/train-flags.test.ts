import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';
import { methodArgument } from '../../src-main/cli/commands/train';

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-cli-train-flags-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('contrastlab train: every field of the run form is a flag', () => {
  it('finds the method before its flags are known, as parseArgs will read it', () => {
    expect(methodArgument(['--epochs', '1', '--method', 'byol'])).toBe('byol');
    expect(methodArgument(['--method=dino', '--lr', '0.1'])).toBe('dino');
    expect(methodArgument(['--method', 'simclr', '--method', 'moco'])).toBe('moco');
    expect(methodArgument(['--name', 'x', '--', '--method', 'moco'])).toBeUndefined();
    expect(methodArgument(['--help'])).toBeUndefined();
  });

  it('train --method ID --help lists the method’s fields with their defaults; train --help says how', async () => {
    const [simclr, plain] = await Promise.all([
      runCli(['train', '--method', 'simclr', '--help']),
      runCli(['train', '--help']),
    ]);
    expect(simclr.code).toBe(0);
    expect(simclr.stdout).toMatch(/^usage: contrastlab train --method simclr/);
    expect(simclr.stdout).toMatch(
      /\n {2}--temperature X\s+NT-Xent temperature τ[^]*?\(default\s+0\.5;\s+>\s+0,\s+≤\s+10\)/,
    );
    expect(simclr.stdout).toMatch(/\n {2}--projection-hidden-dim N\n\s+Hidden width of the projection head/);
    expect(simclr.stdout).toMatch(/\n {2}--linear-probe true\|false\n/);
    expect(simclr.stdout).toMatch(/\n {2}--dataset NAME /);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/train --method ID --help/);
  });

  it('the flags, both spellings and --set set the run’s config', async () => {
    const db = path.join(dir, 'lab.db');
    const r = await runCli([
      'train',
      '--method=simclr',
      '--train-size',
      '128',
      '--test-size',
      '64',
      '--epochs',
      '1',
      '--width',
      '4',
      '--batch-size',
      '64',
      '--projection-hidden-dim',
      '16',
      '--projectionDim',
      '8',
      '--temperature',
      '0.2',
      '--linear-probe',
      'false',
      '--knn-k',
      '5',
      '--set',
      'jitterProb=0.4',
      '--db',
      db,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [run] = JSON.parse((await runCli(['runs', '--db', db, '--json'])).stdout) as {
      status: string;
      config: Record<string, unknown>;
    }[];
    expect(run!.status).toBe('completed');
    expect(run!.config).toMatchObject({
      width: 4,
      batchSize: 64,
      projectionHiddenDim: 16,
      projectionDim: 8,
      temperature: 0.2,
      linearProbe: false,
      knnK: 5,
      jitterProb: 0.4,
    });
  });

  describe('a bad value: one line naming the flag, exit code 2, nothing recorded', () => {
    const cases: [string, string[], string | RegExp][] = [
      [
        'not a number',
        ['--temperature', 'warm'],
        'contrastlab: --temperature must be a number, got "warm"\n',
      ],
      [
        'not a boolean',
        ['--linear-probe', 'maybe'],
        'contrastlab: --linear-probe must be true or false, got "maybe"\n',
      ],
      [
        'not an option',
        ['--optimizer', 'adam'],
        'contrastlab: --optimizer must be one of sgd, lars, adamw; got "adam"\n',
      ],
      [
        'out of range',
        ['--temperature', '-1'],
        /^contrastlab: invalid value for "temperature" \(method simclr\)/,
      ],
      ['another method’s field', ['--queue-size', '64'], /^contrastlab: .*--queue-size/],
    ];
    it('each refused, side by side', async () => {
      // Side by side: each is a process start, most of it loading the methods.
      const replies = await Promise.all(
        cases.map(async ([what, args]) => {
          const db = path.join(dir, `bad-${what.replace(/\W/g, '_')}.db`);
          return { db, r: await runCli(['train', '--method', 'simclr', ...args, '--db', db]) };
        }),
      );
      for (const [i, { db, r }] of replies.entries()) {
        const [what, , message] = cases[i]!;
        expect(r.code, what).toBe(2);
        expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
        if (typeof message === 'string') expect(r.stderr, what).toBe(message);
        else expect(r.stderr, what).toMatch(message);
        if (fs.existsSync(db))
          expect(JSON.parse((await runCli(['runs', '--db', db, '--json'])).stdout)).toEqual([]);
      }
    });

    it('a field of a method that does not exist names the method', async () => {
      const r = await runCli([
        'train',
        '--method',
        'simclrr',
        '--temperature',
        '0.2',
        '--db',
        path.join(dir, 'x.db'),
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^contrastlab: unknown method "simclrr"; known methods: .*simclr/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  });
});
