import { describe, expect, it } from 'vitest';
import { tileFromPixels, tileFromSplit } from '../../../src-main/engine/data/tiles';
import { inMemorySplit } from '../../../src-main/engine/data/splits';

const bytes = (tile: { rgba: string }) => [...Buffer.from(tile.rgba, 'base64')];

describe('image tiles', () => {
  it('turns RGB bytes into opaque RGBA', () => {
    const tile = tileFromPixels([10, 20, 30, 40, 50, 60], { width: 2, height: 1, channels: 3 });
    expect(tile).toMatchObject({ width: 2, height: 1 });
    expect(bytes(tile)).toEqual([10, 20, 30, 255, 40, 50, 60, 255]);
  });

  it('repeats a grey channel and scales and clamps floats', () => {
    const tile = tileFromPixels([0.5, 2], { width: 1, height: 2, channels: 1 }, 255);
    expect(bytes(tile)).toEqual([128, 128, 128, 255, 255, 255, 255, 255]);
  });

  it('takes one image out of a split and refuses an index outside it', () => {
    const split = inMemorySplit(Uint8Array.from([1, 2, 3, 4, 5, 6]), null, 2);
    const shape = { width: 1, height: 1, channels: 3 };
    expect(bytes(tileFromSplit(split, 1, shape))).toEqual([4, 5, 6, 255]);
    expect(() => tileFromSplit(split, 2, shape)).toThrow(/out of range/);
    expect(() => tileFromPixels([1, 2], shape)).toThrow(/needs 3 values/);
  });
});
