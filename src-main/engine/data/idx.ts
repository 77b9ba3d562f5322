import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DatasetError } from '../../domain';

/**
 * The IDX format of MNIST and Fashion-MNIST ("THE IDX FILE FORMAT", http://yann.lecun.com/exdb/mnist/):
 * a magic number of two zero bytes, an element-type byte (0x08 unsigned byte, 0x09 signed byte, 0x0B
 * short, 0x0C int, 0x0D float, 0x0E double) and the number of dimensions; then each dimension as a
 * big-endian uint32; then the data, big-endian, last dimension fastest. So 0x00000803 is a stack of
 * unsigned-byte images [count, rows, columns] and 0x00000801 a vector of unsigned-byte labels [count].
 * Files are read plain or gzipped (as they are distributed), told apart by gzip's magic bytes, and
 * decompressed only as far as the items asked for.
 */

export const IDX_UBYTE_IMAGES = 0x00000803;
export const IDX_UBYTE_LABELS = 0x00000801;

/** Bytes per element of each IDX element type. */
const ELEMENT_BYTES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** gzip's first two bytes (RFC 1952, section 2.3.1). */
const GZIP_MAGIC = [0x1f, 0x8b];

/** The largest header there is: the magic and 255 dimensions. */
const MAX_HEADER = 4 + 4 * 255;

export interface IdxHeader {
  file: string;
  gzipped: boolean;
  magic: number;
  /** The element-type code (0x08 for unsigned bytes). */
  type: number;
  /** The sizes of the dimensions; the first counts the items (images, labels). */
  dims: number[];
  /** Where the data starts in the (decompressed) file. */
  dataOffset: number;
  /** Bytes of one item: one element per position of every dimension after the first. */
  itemBytes: number;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** The first `length` bytes of the file's content (decompressed if gzipped), or fewer where it ends sooner. */
async function readPrefix(file: string, gzipped: boolean, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  let got = 0;
  if (!gzipped) {
    const handle = await openFile(file);
    try {
      while (got < length) {
        const { bytesRead } = await handle.read(out, got, length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } finally {
      await handle.close();
    }
    return out.subarray(0, got);
  }
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    // Stops reading (and decompressing) as soon as enough bytes are in hand.
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const take = Math.min(chunk.length, length - got);
      chunk.copy(out, got, 0, take);
      got += take;
      if (got === length) break;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.syscall) throw new DatasetError(`Cannot read IDX file (${err.code}): ${file}`);
    throw new DatasetError(
      `Cannot decompress IDX file after ${got} bytes (${err.message}; truncated or damaged download?): ${file}`,
    );
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  return out.subarray(0, got);
}

async function openFile(file: string) {
  try {
    return await open(file, 'r');
  } catch (e) {
    throw new DatasetError(`Cannot read IDX file (${(e as NodeJS.ErrnoException).code}): ${file}`);
  }
}

async function isGzipped(file: string): Promise<boolean> {
  const start = await readPrefix(file, false, 2);
  return start.length === 2 && start[0] === GZIP_MAGIC[0] && start[1] === GZIP_MAGIC[1];
}

/** Reads and checks an IDX file's header; throws a DatasetError naming the file where it is not one. */
export async function readIdxHeader(file: string): Promise<IdxHeader> {
  const gzipped = await isGzipped(file);
  const head = await readPrefix(file, gzipped, MAX_HEADER);
  if (head.length < 4) throw new DatasetError(`Not an IDX file (${head.length} bytes, too short): ${file}`);
  const magic = head.readUInt32BE(0);
  const type = head[2]!;
  const ndims = head[3]!;
  if (head[0] !== 0 || head[1] !== 0) {
    throw new DatasetError(
      `Not an IDX file (magic ${hex(magic)} does not start with two zero bytes): ${file}`,
    );
  }
  const elementBytes = ELEMENT_BYTES[type];
  if (elementBytes === undefined) {
    throw new DatasetError(
      `Not an IDX file (unknown element type 0x${type.toString(16)} in magic ${hex(magic)}): ${file}`,
    );
  }
  if (ndims === 0) throw new DatasetError(`IDX file declares no dimensions (magic ${hex(magic)}): ${file}`);
  const dataOffset = 4 + 4 * ndims;
  if (head.length < dataOffset) {
    throw new DatasetError(`IDX file ends inside its header (${ndims} dimensions declared): ${file}`);
  }
  const dims = Array.from({ length: ndims }, (_, k) => head.readUInt32BE(4 + 4 * k));
  const itemBytes = dims.slice(1).reduce((n, d) => n * d, elementBytes);
  return { file, gzipped, magic, type, dims, dataOffset, itemBytes };
}

/** Throws unless the header's magic is `magic` (e.g. IDX_UBYTE_IMAGES); `what` names the expected content. */
export function expectIdxMagic(header: IdxHeader, magic: number, what: string): void {
  if (header.magic !== magic) {
    throw new DatasetError(
      `Not an IDX ${what} file (magic ${hex(header.magic)}, expected ${hex(magic)}): ${header.file}`,
    );
  }
}

/** The length of the whole (decompressed) file its header describes. */
export function idxLength(header: IdxHeader): number {
  return header.dataOffset + header.dims[0]! * header.itemBytes;
}

/**
 * Checks that the file is as long as its header says, without reading its data: a plain file from its
 * size, a gzipped one from the uncompressed length modulo 2³² in its gzip trailer (RFC 1952, ISIZE),
 * which a truncated download does not end with.
 */
export async function checkIdxLength(header: IdxHeader): Promise<void> {
  const expected = idxLength(header);
  const handle = await openFile(header.file);
  try {
    const size = (await handle.stat()).size;
    if (!header.gzipped) {
      if (size < expected) {
        throw new DatasetError(
          `IDX file is truncated (${size} bytes; its header [${header.dims.join('×')}] needs ${expected}): ${header.file}`,
        );
      }
      if (size > expected) {
        throw new DatasetError(
          `IDX file has ${size - expected} bytes beyond the data its header [${header.dims.join('×')}] describes: ${header.file}`,
        );
      }
      return;
    }
    const trailer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(trailer, 0, 4, Math.max(0, size - 4));
    const recorded = bytesRead === 4 ? trailer.readUInt32LE(0) : -1;
    if (recorded !== expected % 2 ** 32) {
      throw new DatasetError(
        `Gzipped IDX file is truncated or damaged (its gzip trailer records ${recorded} bytes uncompressed; its header [${header.dims.join('×')}] needs ${expected}): ${header.file}`,
      );
    }
  } finally {
    await handle.close();
  }
}

/**
 * The raw data of the first `count` items (count × itemBytes bytes, elements as stored), reading and
 * decompressing no further into the file than they reach.
 */
export async function readIdxItems(header: IdxHeader, count: number): Promise<Uint8Array> {
  const available = header.dims[0]!;
  if (count > available) {
    throw new RangeError(`asked for ${count} items of an IDX file holding ${available}: ${header.file}`);
  }
  const length = header.dataOffset + count * header.itemBytes;
  const bytes = await readPrefix(header.file, header.gzipped, length);
  if (bytes.length < length) {
    const whole = Math.floor(Math.max(0, bytes.length - header.dataOffset) / header.itemBytes);
    throw new DatasetError(
      `IDX file is truncated (holds ${whole} whole items of the ${available} its header declares): ${header.file}`,
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset + header.dataOffset, count * header.itemBytes);
}
