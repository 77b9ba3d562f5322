import fs from 'node:fs';

/**
 * Where a split's pixels live: in memory (small datasets: CIFAR, MNIST, the synthetic set) or in a cache
 * file read a batch at a time (image folders, STL-10's 100,000 unlabelled images, any resized dataset),
 * so that a worker's memory stays bounded whatever the dataset's size. Images are NHWC uint8, all of
 * one size, one after another.
 */
export interface Pixels {
  readonly count: number;
  readonly bytesPerImage: number;
  /** The images at `indices`, one after another (`indices.length × bytesPerImage` bytes). */
  read(indices: ArrayLike<number>): Uint8Array;
  /** What another thread needs to open the same pixels (openPixels). */
  share(): SharedPixels;
}

/** Pixels handed to another thread: a copy of the bytes (transferred), or the file to read them from. */
export type SharedPixels =
  | { kind: 'memory'; bytes: Uint8Array; count: number; bytesPerImage: number }
  | { kind: 'file'; path: string; offset: number; count: number; bytesPerImage: number };

function checkIndex(i: number, count: number): void {
  if (!(Number.isInteger(i) && i >= 0 && i < count)) {
    throw new RangeError(`image index ${i} outside 0…${count - 1}`);
  }
}

export class MemoryPixels implements Pixels {
  readonly bytesPerImage: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly count: number,
  ) {
    this.bytesPerImage = count > 0 ? bytes.length / count : 0;
    if (!Number.isInteger(this.bytesPerImage)) {
      throw new RangeError(`${bytes.length} bytes do not divide into ${count} images`);
    }
  }

  read(indices: ArrayLike<number>): Uint8Array {
    const per = this.bytesPerImage;
    const out = new Uint8Array(indices.length * per);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      checkIndex(i, this.count);
      out.set(this.bytes.subarray(i * per, (i + 1) * per), k * per);
    }
    return out;
  }

  share(): SharedPixels {
    return {
      kind: 'memory',
      bytes: this.bytes.slice(),
      count: this.count,
      bytesPerImage: this.bytesPerImage,
    };
  }
}

/**
 * Images in a file from `offset` on, read on demand: a batch costs one read per run of consecutive
 * indices, and the operating system's page cache keeps what is read often.
 */
export class FilePixels implements Pixels {
  private fd: number | null = null;

  constructor(
    readonly path: string,
    readonly offset: number,
    readonly count: number,
    readonly bytesPerImage: number,
  ) {}

  read(indices: ArrayLike<number>): Uint8Array {
    const per = this.bytesPerImage;
    const n = indices.length;
    const out = new Uint8Array(n * per);
    if (n === 0) return out;
    this.fd ??= fs.openSync(this.path, 'r');
    // Read in file order, so that consecutive images (evaluation walks a split in order) are one read.
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => indices[a]! - indices[b]!);
    for (let start = 0; start < n;) {
      let end = start + 1;
      while (
        end < n &&
        indices[order[end]!]! === indices[order[end - 1]!]! + 1 &&
        order[end] === order[end - 1]! + 1
      )
        end++;
      const first = indices[order[start]!]!;
      checkIndex(first, this.count);
      checkIndex(first + (end - start) - 1, this.count);
      this.readExactly(out, order[start]! * per, (end - start) * per, this.offset + first * per);
      start = end;
    }
    return out;
  }

  private readExactly(out: Uint8Array, at: number, length: number, position: number): void {
    let done = 0;
    while (done < length) {
      const got = fs.readSync(this.fd!, out, at + done, length - done, position + done);
      if (got === 0)
        throw new Error(`${this.path} ends before image data it should hold (truncated cache file)`);
      done += got;
    }
  }

  share(): SharedPixels {
    return {
      kind: 'file',
      path: this.path,
      offset: this.offset,
      count: this.count,
      bytesPerImage: this.bytesPerImage,
    };
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Opens pixels shared by another thread. */
export function openPixels(shared: SharedPixels): Pixels {
  return shared.kind === 'memory'
    ? new MemoryPixels(shared.bytes, shared.count)
    : new FilePixels(shared.path, shared.offset, shared.count, shared.bytesPerImage);
}
