/**
 * Checkpoints: a method instance's model state on disk, so evaluations (the linear probe) can be re-run
 * on any saved step of a run long after its worker has exited.
 *
 * What is saved: every parameter AND buffer (batch-norm running statistics: eval-mode features depend on
 * them) of every module the instance exposes — the evaluated encoder, heads, predictors, momentum
 * encoders. Non-module state (MoCo's queue, memory banks, DINO's centre) is not saved: it only matters for
 * resuming training, which checkpoints do not (yet) serve.
 *
 * File format (little-endian):
 *   8 bytes   magic "CLCKPT01"
 *   4 bytes   uint32 byte length H of the header
 *   H bytes   header, UTF-8 JSON (CheckpointHeader: run, step, epoch, method, and per tensor its name,
 *             shape and byte offset into the data section), padded with spaces to a multiple of 4
 *   rest      the tensors' values as float32, back to back
 * Written to a temporary file and renamed, so a reader never sees half a checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Module } from '../nn/module';
import type { MethodInstance } from '../methods/method';

const MAGIC = 'CLCKPT01';
const PREFIX_BYTES = MAGIC.length + 4;

export interface CheckpointMeta {
  runId: number;
  step: number;
  epoch: number;
  method: string;
}

export interface CheckpointTensor {
  /** `<module>.<dotted name inside it>`, e.g. `encoder.net.1.running_mean`. */
  name: string;
  shape: number[];
  /** Byte offset into the data section. */
  offset: number;
}

export interface CheckpointHeader extends CheckpointMeta {
  format: 'contrastlab-checkpoint';
  version: 1;
  dtype: 'float32';
  tensors: CheckpointTensor[];
}

/** The folder of every run's checkpoints: `checkpoints/` beside the SQLite file. */
export function checkpointRoot(dbFile: string): string {
  return path.join(path.dirname(path.resolve(dbFile)), 'checkpoints');
}

/** The folder of one run's checkpoints. */
export function runCheckpointDir(root: string, runId: number): string {
  return path.join(root, `run-${runId}`);
}

/** The file of one checkpoint in a run's folder. */
export function checkpointFile(runDir: string, step: number): string {
  return path.join(runDir, `step-${step}.ckpt`);
}

/**
 * The modules of an instance that a checkpoint holds. A method may say so itself (checkpointModules);
 * otherwise they are the instance's own fields holding a Module. That default works for all 15 methods
 * without touching them, because each exposes its networks as fields (encoder; query/key; online/
 * predictor/target; student/teacher; head where tests need it); a module a method keeps only in its
 * closure (e.g. SimCLR's projection head) is not reachable as a module; its parameters are still saved
 * through trainableParameters() (see checkpointState). `encoder` comes first so the evaluated network is
 * always named `encoder.*`, whichever larger module (a tower) also contains it.
 */
export function checkpointModules(instance: MethodInstance): Record<string, Module> {
  if (instance.checkpointModules) return instance.checkpointModules();
  const out: Record<string, Module> = { encoder: instance.encoder };
  for (const [key, value] of Object.entries(instance)) {
    if (key !== 'encoder' && value instanceof Module) out[key] = value;
  }
  return out;
}

/**
 * Every variable of the instance's modules with its checkpoint name, each variable once: a module that is
 * part of another (the encoder inside a tower) is named by the first module that reaches it. Trainable
 * parameters no exposed module holds (a head kept in a closure) follow as `trainable.<optimiser name>`;
 * such a head's batch-norm buffers are the one thing not saved.
 */
export function checkpointState(instance: MethodInstance): [string, tf.Variable][] {
  const seen = new Set<tf.Variable>();
  const names = new Set<string>();
  const out: [string, tf.Variable][] = [];
  const add = (name: string, v: tf.Variable) => {
    if (seen.has(v)) return;
    if (names.has(name)) throw new Error(`checkpoint: two variables are both named ${name}`);
    seen.add(v);
    names.add(name);
    out.push([name, v]);
  };
  for (const [moduleName, module] of Object.entries(checkpointModules(instance))) {
    for (const [name, v] of module.namedParameters(`${moduleName}.`)) add(name, v);
    for (const [name, v] of module.namedBuffers(`${moduleName}.`)) add(name, v);
  }
  for (const [name, v] of instance.trainableParameters()) add(`trainable.${name}`, v);
  return out;
}

/** float32 values as little-endian bytes (a copy on a big-endian machine, a view otherwise). */
function littleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (os.endianness() === 'LE') return bytes;
  const out = new Uint8Array(bytes.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function readFloats(bytes: Buffer, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (os.endianness() === 'LE') {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
  } else {
    for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(offset + i * 4);
  }
  return out;
}

/** Saves the instance's state to `file` (atomically); returns the file's size in bytes. */
export async function saveCheckpoint(
  instance: MethodInstance,
  file: string,
  meta: CheckpointMeta,
): Promise<number> {
  const state = checkpointState(instance);
  const tensors: CheckpointTensor[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, v] of state) {
    if (v.dtype !== 'float32') throw new Error(`checkpoint: ${name} is ${v.dtype}; only float32 is saved`);
    const values = (await v.data()) as Float32Array;
    tensors.push({ name, shape: [...v.shape], offset });
    chunks.push(littleEndianBytes(values));
    offset += values.byteLength;
  }
  const header: CheckpointHeader = {
    format: 'contrastlab-checkpoint',
    version: 1,
    dtype: 'float32',
    ...meta,
    tensors,
  };
  let json = JSON.stringify(header);
  // Pad so the data section starts 4-byte aligned.
  json += ' '.repeat((4 - ((PREFIX_BYTES + Buffer.byteLength(json)) % 4)) % 4);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(Buffer.byteLength(json), MAGIC.length);

  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    try {
      fs.writeSync(fd, prefix);
      fs.writeSync(fd, Buffer.from(json, 'utf8'));
      for (const c of chunks) fs.writeSync(fd, c);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    // A failed save (disk full) is only a warning to the run: leave no half-written file behind.
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return fs.statSync(file).size;
}

/** Reads and checks a checkpoint's header and returns it with the raw file. */
function readCheckpoint(file: string): { header: CheckpointHeader; bytes: Buffer; dataStart: number } {
  const bytes = fs.readFileSync(file);
  if (bytes.length < PREFIX_BYTES || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new Error(`${file} is not a ContrastLab checkpoint`);
  }
  const headerBytes = bytes.readUInt32LE(MAGIC.length);
  const dataStart = PREFIX_BYTES + headerBytes;
  if (dataStart > bytes.length) throw new Error(`checkpoint ${file} is truncated`);
  const header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, dataStart)) as CheckpointHeader;
  if (header.format !== 'contrastlab-checkpoint' || header.version !== 1 || header.dtype !== 'float32') {
    throw new Error(`checkpoint ${file} has an unknown format (version ${header.version})`);
  }
  return { header, bytes, dataStart };
}

/** The header of a checkpoint file (run, step, epoch, method, tensor names and shapes). */
export function readCheckpointHeader(file: string): CheckpointHeader {
  return readCheckpoint(file).header;
}

/**
 * Restores a checkpoint into an instance built with the same method and config. Every variable of the
 * instance must be in the file with the same shape, and every tensor of the file must have a variable:
 * anything else means another method or config, and is an error naming the first difference.
 */
export function loadCheckpoint(instance: MethodInstance, file: string): CheckpointHeader {
  const { header, bytes, dataStart } = readCheckpoint(file);
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const state = checkpointState(instance);
  const missing = state.filter(([name]) => !byName.has(name)).map(([name]) => name);
  if (missing.length) {
    throw new Error(`checkpoint ${file} lacks ${missing.length} tensor(s) of this model, e.g. ${missing[0]}`);
  }
  const wanted = new Set(state.map(([name]) => name));
  const extra = header.tensors.filter((t) => !wanted.has(t.name));
  if (extra.length) {
    throw new Error(
      `checkpoint ${file} has ${extra.length} tensor(s) this model lacks, e.g. ${extra[0]!.name}`,
    );
  }
  for (const [name, v] of state) {
    const t = byName.get(name)!;
    if (t.shape.join() !== v.shape.join()) {
      throw new Error(`checkpoint ${file}: ${name} has shape [${t.shape}], the model [${v.shape}]`);
    }
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (dataStart + t.offset + count * 4 > bytes.length) throw new Error(`checkpoint ${file} is truncated`);
    const values = readFloats(bytes, dataStart + t.offset, count);
    tf.tidy(() => v.assign(tf.tensor(values, t.shape, 'float32')));
  }
  return header;
}

/** What the training loop reports for each checkpoint it wrote. */
export interface SavedCheckpoint {
  step: number;
  epoch: number;
  path: string;
  bytes: number;
}
