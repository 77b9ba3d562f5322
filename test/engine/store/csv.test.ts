import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { metricsToCsv, runsToCsv } from '../../../src-main/engine/store/csv';
import type { Run } from '../../../src-main/domain';

const run = (
  id: number,
  name: string,
  config: Record<string, unknown>,
  summary: Record<string, number> = {},
): Run => ({
  id,
  name,
  method: 'simclr',
  status: 'completed',
  dataset: { id: 'synthetic' },
  backendPreference: 'auto',
  backend: 'wasm',
  device: 'CPU',
  config,
  tags: ['a', 'b'],
  notes: 'line one\nline two',
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:01:30.000Z',
  summary,
});

describe('CSV export', () => {
  const tricky = 'a "quoted", comma\nand newline';

  it('round-trips run names with quotes, commas and newlines, and flattens config into columns', () => {
    const csv = runsToCsv([
      run(1, tricky, { lr: 0.5, epochs: 2, aug: { crop: 0.08 } }, { knn_top1: 0.5 }),
      run(2, 'plain', { lr: 0.1, temperature: 0.2 }),
    ]);
    expect(csv).toContain('\r\n');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]!.name).toBe(tricky);
    expect(rows[0]!.notes).toBe('line one\nline two');
    expect(rows[0]!['config.lr']).toBe('0.5');
    expect(rows[0]!['config.aug.crop']).toBe('0.08');
    expect(rows[0]!['config.temperature']).toBe('');
    expect(rows[1]!['config.temperature']).toBe('0.2');
    expect(rows[0]!['final.knn_top1']).toBe('0.5');
    expect(rows[0]!.duration_s).toBe('90');
    expect(rows[0]!.tags).toBe('a;b');
  });

  it('writes metrics in long format with the run name beside every point', () => {
    const csv = metricsToCsv(
      [
        { runId: 1, step: 0, epoch: 0, key: 'knn_top1', value: 0.125, wallTime: 1700000000.5 },
        { runId: 1, step: 3, epoch: 0.75, key: 'loss', value: 4.5, wallTime: 1700000001.25 },
      ],
      [run(1, tricky, {})],
    );
    const rows = parse(csv) as string[][];
    expect(rows[0]).toEqual(['run_id', 'run_name', 'method', 'step', 'epoch', 'key', 'value', 'wall_time']);
    expect(rows[1]).toEqual(['1', tricky, 'simclr', '0', '0', 'knn_top1', '0.125', '1700000000.5']);
    expect(rows[2]).toEqual(['1', tricky, 'simclr', '3', '0.75', 'loss', '4.5', '1700000001.25']);
  });
});
