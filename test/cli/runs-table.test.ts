import { describe, expect, it } from 'vitest';
import type { Run } from '../../src-main/domain';
import { runsTable, shortDuration } from '../../src-main/cli/runs-table';

/** A run as the store returns it, with what the test varies. */
function run(over: Partial<Run>): Run {
  return {
    id: 1,
    name: 'simclr on synthetic',
    method: 'simclr',
    status: 'completed',
    dataset: { id: 'synthetic' },
    backendPreference: 'auto',
    executor: 'local',
    slurm: null,
    backend: 'wasm',
    device: 'cpu',
    config: { epochs: 3 },
    tags: [],
    notes: '',
    error: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    startedAt: '2026-01-01T10:00:00.000Z',
    endedAt: '2026-01-01T10:03:20.000Z',
    resumes: [],
    summary: {},
    summarySteps: {},
    ...over,
  };
}

describe('runsTable', () => {
  it('lines up one row per run under a header, with results as percentages and the time trained', () => {
    const text = runsTable([
      run({
        id: 7,
        dataset: { id: 'cifar10', trainSize: 1000 },
        summary: { knn_top1: 0.4123, probe_top1: 0.5 },
        summarySteps: { knn_top1: 300, probe_top1: 300 },
      }),
      run({
        id: 12,
        name: 'baseline',
        method: 'byol',
        config: { epochs: 10 },
        endedAt: '2026-01-01T12:05:00.000Z',
      }),
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^id\s+name\s+status\s+method\s+dataset\s+epochs\s+kNN top-1\s+probe top-1\s+duration$/,
    );
    expect(lines[1]).toMatch(
      /^ 7\s+simclr on synthetic\s+completed\s+simclr\s+cifar10 \(1000\)\s+3\s+41\.2%\s+50\.0%\s+3m 20s$/,
    );
    expect(lines[2]).toMatch(/^12\s+baseline\s+completed\s+byol\s+synthetic\s+10\s+2h 05m$/);
    // Every column starts at the same place on every line.
    const start = (line: string, text: string) => line.indexOf(text);
    expect(start(lines[1]!, 'completed')).toBe(start(lines[0]!, 'status'));
    expect(start(lines[2]!, 'byol')).toBe(start(lines[0]!, 'method'));
  });

  it('never shows a probe of the random initialisation as the result, and names the step of an unfinished run', () => {
    const text = runsTable([
      run({
        status: 'stopped',
        summary: { knn_top1: 0.2, probe_top1: 0.235 },
        summarySteps: { knn_top1: 40, probe_top1: 0 },
      }),
    ]);
    const row = text.split('\n')[1]!;
    expect(row).toContain('20.0% @40');
    expect(row).not.toContain('23.5');
  });

  it('keeps a run on one line however long or multi-line its name, and leaves a run not started blank', () => {
    const text = runsTable(
      [
        run({
          name: `a very long run name\nthat goes on ${'and on '.repeat(10)}`,
          startedAt: null,
          endedAt: null,
        }),
      ],
      new Date('2026-01-01T11:00:00.000Z'),
    );
    const row = text.split('\n')[1]!;
    expect(text.trimEnd().split('\n')).toHaveLength(2);
    expect(row).toContain('a very long run name that goes…');
    expect(row).toMatch(/3$/); // epochs ends the line: no duration
  });

  it('a running run trains until now', () => {
    const text = runsTable([run({ status: 'running', endedAt: null })], new Date('2026-01-01T10:00:45.000Z'));
    expect(text.split('\n')[1]).toMatch(/45s$/);
  });

  it('says how to make a run when there is none', () => {
    expect(runsTable([])).toMatch(/^no runs yet .*contrastlab train/);
  });

  it('shortDuration', () => {
    expect([0, 59.4, 60, 3599, 3600, 86399, 90061].map(shortDuration)).toEqual([
      '0s',
      '59s',
      '1m 00s',
      '59m 59s',
      '1h 00m',
      '23h 59m',
      '1d 01h',
    ]);
  });
});
