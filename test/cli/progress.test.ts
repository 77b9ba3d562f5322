import { describe, expect, it } from 'vitest';
import { cacheProgressLine, parseCacheProgress } from '../../src-main/domain';
import { ProgressLine } from '../../src-main/cli/progress';

describe('the CLI progress line', () => {
  it('reads back the cache-building lines a run logs, and nothing else', () => {
    expect(cacheProgressLine(12000, 100000)).toBe('preparing the dataset cache: 12,000 / 100,000 images');
    expect(parseCacheProgress(cacheProgressLine(12000, 100000))).toEqual({ done: 12000, total: 100000 });
    expect(parseCacheProgress(cacheProgressLine(7, 7))).toEqual({ done: 7, total: 7 });
    expect(parseCacheProgress('epoch 1: kNN top-1 30.00%')).toBeNull();
    expect(parseCacheProgress('preparing the dataset cache: soon')).toBeNull();
  });

  it('draws a dataset cache build as a bar on the same terminal line', () => {
    let written = '';
    const out = { write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    new ProgressLine(out).task('preparing the dataset cache', 25000, 100000);
    expect(written).toBe(
      `\r${'█'.repeat(6)}${'░'.repeat(18)}  25%  preparing the dataset cache: 25,000/100,000\x1b[K`,
    );
  });
});
