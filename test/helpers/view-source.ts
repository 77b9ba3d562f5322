import type { ViewSource } from '../../src-main/engine/data/views';
import { inMemorySplit } from '../../src-main/engine/data/splits';
import { Rng } from '../../src-main/engine/util/rng';

/**
 * What drawing views needs, for tests: `count` random `side`×`side` RGB images in memory (their bytes
 * too, for tests that store them elsewhere) and fixed channel statistics.
 */
export function randomViewSource(
  count: number,
  side: number,
  seed = 5,
): { source: ViewSource; bytes: Uint8Array } {
  const rng = new Rng(seed);
  const bytes = Uint8Array.from({ length: count * side * side * 3 }, () => rng.int(256));
  const source: ViewSource = {
    train: inMemorySplit(bytes, null, count),
    height: side,
    width: side,
    channels: 3,
    mean: [0.5, 0.4, 0.3],
    std: [0.2, 0.25, 0.3],
  };
  return { source, bytes };
}
