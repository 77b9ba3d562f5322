import { GRAY_WEIGHTS } from './colour';
import type { Dataset, ImageSplit } from './dataset';
import { MemoryPixels, type Pixels, type SharedPixels } from './pixels';

/**
 * A dataset's images with another number of channels, converted a batch at a time as they are read, for a
 * network trained on the other kind (a transfer, eval/transfer.ts): a greyscale image (1 channel) becomes
 * colour by repeating its one channel in R, G and B, and a colour image becomes greyscale by its luma,
 * 0.2989 R + 0.587 G + 0.114 B (ITU-R 601, torchvision's rgb_to_grayscale, the weights of the grayscale
 * augmentation), rounded.
 */
export class ChannelPixels implements Pixels {
  readonly bytesPerImage: number;

  constructor(
    private readonly source: Pixels,
    private readonly from: 1 | 3,
    private readonly to: 1 | 3,
  ) {
    this.bytesPerImage = (source.bytesPerImage / from) * to;
  }

  get count(): number {
    return this.source.count;
  }

  read(indices: ArrayLike<number>): Uint8Array {
    return convertChannels(this.source.read(indices), this.from, this.to);
  }

  share(): SharedPixels {
    const all = Int32Array.from({ length: this.count }, (_, i) => i);
    return new MemoryPixels(this.read(all), this.count).share();
  }
}

/** NHWC uint8 pixels with `from` channels as the same pixels with `to` (see ChannelPixels). */
export function convertChannels(bytes: Uint8Array, from: 1 | 3, to: 1 | 3): Uint8Array {
  if (from === to) return bytes;
  const pixels = bytes.length / from;
  const out = new Uint8Array(pixels * to);
  if (from === 1) {
    for (let p = 0; p < pixels; p++) out.fill(bytes[p]!, 3 * p, 3 * p + 3);
  } else {
    const [r, g, b] = GRAY_WEIGHTS;
    for (let p = 0; p < pixels; p++) {
      out[p] = Math.round(r * bytes[3 * p]! + g * bytes[3 * p + 1]! + b * bytes[3 * p + 2]!);
    }
  }
  return out;
}

/** The dataset with `channels` channels per image (itself when it has them already). */
export function withChannels(dataset: Dataset, channels: 1 | 3): Dataset {
  const from = dataset.channels;
  if (from === channels) return dataset;
  if (from !== 1 && from !== 3) throw new RangeError(`cannot convert ${from}-channel images`);
  const split = (s: ImageSplit): ImageSplit => ({
    ...s,
    pixels: new ChannelPixels(s.pixels, from, channels),
  });
  return {
    ...dataset,
    channels,
    train: split(dataset.train),
    test: split(dataset.test),
    ...(dataset.labelledTrain ? { labelledTrain: split(dataset.labelledTrain) } : {}),
  };
}
