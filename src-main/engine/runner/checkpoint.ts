/**
 * Checkpoints: a run's state on disk at a step boundary, so evaluations (the linear probe) can be re-run
 * on any saved step of a run long after its worker has exited, and a stopped or interrupted run can
 * resume exactly where it was (runner/resume.ts).
 *
 * What is saved:
 * - the model: every parameter AND buffer (batch-norm running statistics: eval-mode features depend on
 *   them) of every module the instance exposes — the evaluated encoder, heads, predictors, momentum
 *   encoders, prototypes (checkpointState);
 * - the training state (nn/training-state.ts), which each stateful piece declares itself and the writer
 *   only walks: the optimiser's slots and counters, the method's own (queues, memory banks, DINO's centre,
 *   InstDisc's Z, its generators' positions, modules no field exposes), and the loop's (the position of the
 *   next batch, the data order's and the augmentation stream's generators: runner/loop-state.ts);
 * - what the run was (config, dataset, steps per epoch), against which a resume is checked.
 * The model part alone serves evaluation; a checkpoint written without training state (saveCheckpoint with
 * no `training`) cannot be resumed from.
 *
 * File format, version 2 (little-endian):
 *   8 bytes   magic "CLCKPT02"
 *   4 bytes   uint32 byte length H of the header
 *   4 bytes   uint32 CRC-32 of the H header bytes
 *   H bytes   header, UTF-8 JSON (CheckpointHeader: run, step, epoch, method; per tensor its name, shape and
 *             byte offset into the data section, for the model and for the training state; the training
 *             state's JSON values; the data section's length D and CRC-32), padded with spaces to a
 *             multiple of 4
 *   D bytes   the tensors' values as float32, back to back
 * The file is exactly 16 + H + D bytes long. It is written to a temporary file, fsynced, renamed and its
 * folder fsynced, so it is complete or absent; a torn or corrupted file fails the length or checksum test
 * and is refused with a CheckpointError naming it.
 *
 * Version 1 ("CLCKPT01", then the header length, the header and the model's floats; no training state, no
 * checksums) is still read for the model, so old runs' checkpoints keep serving the linear probe; resuming
 * from one is refused.
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { CheckpointError } from '../../domain';
import { Module } from '../nn/module';
import { makeTrainingState, type StateValue, type Stateful, type TrainingState } from '../nn/training-state';
import type { RunConfig } from '../methods';
import type { MethodInstance } from '../methods/method';

const MAGIC = 'CLCKPT02';
const MAGIC_V1 = 'CLCKPT01';
const PREFIX_BYTES = MAGIC.length + 8;
const PREFIX_BYTES_V1 = MAGIC_V1.length + 4;

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

/** What a run was: a resumed run must be the same (runner/resume.ts). */
export interface CheckpointRun {
  /** The resolved config the run trained with. */
  config: RunConfig;
  /** The dataset's id and what training depends on of it: its training images' count and shape. */
  dataset: { id: string; trainCount: number; height: number; width: number; channels: number };
  stepsPerEpoch: number;
}

/** The training state beside the model (nn/training-state.ts), and the run it belongs to. */
export interface CheckpointTraining {
  run: CheckpointRun;
  /** The state's tensors, in the data section like the model's. */
  tensors: CheckpointTensor[];
  values: Record<string, StateValue>;
}

export interface CheckpointHeader extends CheckpointMeta {
  format: 'contrastlab-checkpoint';
  version: 1 | 2;
  dtype: 'float32';
  /** The model's tensors (checkpointState). */
  tensors: CheckpointTensor[];
  /** Version 2: the training state, where the checkpoint was written to resume from. */
  training?: CheckpointTraining;
  /** Version 2: the data section's length in bytes and its CRC-32. */
  dataBytes?: number;
  dataCrc32?: number;
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
 * through trainableParameters() (see checkpointState), its buffers by the method's training state.
 * `encoder` comes first so the evaluated network is always named `encoder.*`, whichever larger module
 * (a tower) also contains it.
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
 * such a head's batch-norm buffers are in the method's training state instead.
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

/** What a resumable checkpoint holds besides the model: the run, and the pieces whose state it saves. */
export interface TrainingToSave {
  run: CheckpointRun;
  state: Stateful;
}

/**
 * Saves the instance's model, and with `training` the training state, to `file`: complete or not at all
 * (see the file comment). Returns the file's size in bytes.
 */
export async function saveCheckpoint(
  instance: MethodInstance,
  file: string,
  meta: CheckpointMeta,
  training?: TrainingToSave,
): Promise<number> {
  return saveTensors(file, meta, checkpointState(instance), training);
}

/**
 * Saves named tensors as a checkpoint's model part (and with `training` the training state), complete or
 * not at all: saveCheckpoint's writer, also for networks that are no method instance (a fine-tune's
 * network and classifier, runner/fine-tuned-model.ts). Returns the file's size in bytes.
 */
export async function saveTensors(
  file: string,
  meta: CheckpointMeta,
  model: readonly (readonly [string, tf.Tensor])[],
  training?: TrainingToSave,
): Promise<number> {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  let crc = 0;
  const write = async (name: string, t: tf.Tensor): Promise<CheckpointTensor> => {
    if (t.dtype !== 'float32') throw new Error(`checkpoint: ${name} is ${t.dtype}; only float32 is saved`);
    const bytes = littleEndianBytes((await t.data()) as Float32Array);
    const entry = { name, shape: [...t.shape], offset };
    chunks.push(bytes);
    crc = zlib.crc32(bytes, crc);
    offset += bytes.byteLength;
    return entry;
  };
  const tensors: CheckpointTensor[] = [];
  for (const [name, v] of model) tensors.push(await write(name, v));
  let trainingHeader: CheckpointTraining | undefined;
  if (training) {
    const state = training.state.trainingState();
    const stateTensors: CheckpointTensor[] = [];
    for (const [name, t] of state.tensors) stateTensors.push(await write(name, t));
    trainingHeader = { run: training.run, tensors: stateTensors, values: Object.fromEntries(state.values) };
  }
  const header: CheckpointHeader = {
    format: 'contrastlab-checkpoint',
    version: 2,
    dtype: 'float32',
    ...meta,
    tensors,
    ...(trainingHeader ? { training: trainingHeader } : {}),
    dataBytes: offset,
    dataCrc32: crc,
  };
  let json = JSON.stringify(header);
  // Pad so the data section starts 4-byte aligned.
  json += ' '.repeat((4 - ((PREFIX_BYTES + Buffer.byteLength(json)) % 4)) % 4);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, MAGIC.length);
  prefix.writeUInt32LE(zlib.crc32(headerBytes), MAGIC.length + 4);

  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, prefix);
      fs.writeSync(fd, headerBytes);
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
  // The rename is durable once the folder's entry is on disk too.
  fsyncFolder(dir);
  return fs.statSync(file).size;
}

function fsyncFolder(dir: string): void {
  // Windows cannot open a folder to fsync it (NTFS journals the rename itself).
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A checkpoint file read and checked: its header, and its model and training state to load. */
export interface OpenCheckpoint {
  readonly file: string;
  readonly header: CheckpointHeader;
  /** Restores the model into an instance of the same method and config (see loadCheckpoint). */
  loadModel(instance: MethodInstance): void;
  /** Restores the model into these variables, which must be exactly the file's tensors (names, shapes). */
  loadVariables(variables: readonly (readonly [string, tf.Variable])[]): void;
  /** The training state as new tensors, which the caller disposes; null where the file has none. */
  trainingState(): TrainingState | null;
}

/**
 * Reads a checkpoint and checks it whole: its magic, its version, its length and checksums (version 2).
 * Anything wrong is a CheckpointError of one line naming the file.
 */
export function openCheckpoint(file: string): OpenCheckpoint {
  const fail = (why: string) => new CheckpointError(`checkpoint ${file} ${why}`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`);
  }
  const magic = bytes.length >= MAGIC.length ? bytes.toString('latin1', 0, MAGIC.length) : '';
  if (magic !== MAGIC && magic !== MAGIC_V1) {
    throw new CheckpointError(`${file} is not a ContrastLab checkpoint`);
  }
  const v1 = magic === MAGIC_V1;
  const prefixBytes = v1 ? PREFIX_BYTES_V1 : PREFIX_BYTES;
  if (bytes.length < prefixBytes) throw fail('is truncated (a torn write?)');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const dataStart = prefixBytes + headerLength;
  if (dataStart > bytes.length) throw fail('is truncated (a torn write?)');
  const headerBytes = bytes.subarray(prefixBytes, dataStart);
  if (!v1 && zlib.crc32(headerBytes) !== bytes.readUInt32LE(MAGIC.length + 4)) {
    throw fail('is corrupted: its header does not match its checksum');
  }
  let header: CheckpointHeader;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as CheckpointHeader;
  } catch {
    throw fail('is corrupted: its header is not JSON');
  }
  if (
    header.format !== 'contrastlab-checkpoint' ||
    header.version !== (v1 ? 1 : 2) ||
    header.dtype !== 'float32'
  ) {
    throw fail(`has an unknown format (version ${String(header.version)})`);
  }
  const data = bytes.subarray(dataStart);
  if (!v1) {
    if (data.length !== header.dataBytes) {
      throw fail(
        `is truncated or corrupted: its data section has ${data.length} bytes, its header says ${header.dataBytes}`,
      );
    }
    if (zlib.crc32(data) !== header.dataCrc32) {
      throw fail('is corrupted: its data do not match their checksum');
    }
  }
  const valuesOf = (t: CheckpointTensor): Float32Array => {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!(t.offset >= 0 && t.offset + count * 4 <= data.length)) throw fail('is truncated (a torn write?)');
    return readFloats(data, t.offset, count);
  };
  const loadVariables = (state: readonly (readonly [string, tf.Variable])[]): void => {
    const byName = new Map(header.tensors.map((t) => [t.name, t]));
    const missing = state.filter(([name]) => !byName.has(name)).map(([name]) => name);
    if (missing.length) {
      throw fail(`lacks ${missing.length} tensor(s) of this model, e.g. ${missing[0]}`);
    }
    const wanted = new Set(state.map(([name]) => name));
    const extra = header.tensors.filter((t) => !wanted.has(t.name));
    if (extra.length) {
      throw fail(`has ${extra.length} tensor(s) this model lacks, e.g. ${extra[0]!.name}`);
    }
    for (const [name, v] of state) {
      const t = byName.get(name)!;
      if (t.shape.join() !== v.shape.join()) {
        throw new CheckpointError(
          `checkpoint ${file}: ${name} has shape [${t.shape}], the model [${v.shape}]`,
        );
      }
    }
    for (const [name, v] of state) {
      const t = byName.get(name)!;
      const values = valuesOf(t);
      tf.tidy(() => v.assign(tf.tensor(values, t.shape, 'float32')));
    }
  };
  return {
    file,
    header,
    loadModel(instance) {
      loadVariables(checkpointState(instance));
    },
    loadVariables,
    trainingState() {
      const training = header.training;
      if (!training) return null;
      const tensors = training.tensors.map(
        (t) => [t.name, tf.tensor(valuesOf(t), t.shape, 'float32')] as const,
      );
      return makeTrainingState(tensors, Object.entries(training.values));
    },
  };
}

/** The header of a checkpoint file (run, step, epoch, method, tensor names and shapes), checked whole. */
export function readCheckpointHeader(file: string): CheckpointHeader {
  return openCheckpoint(file).header;
}

/**
 * Restores a checkpoint's model into an instance built with the same method and config. Every variable of
 * the instance must be in the file with the same shape, and every tensor of the file must have a variable:
 * anything else means another method or config, and is a CheckpointError naming the first difference.
 */
export function loadCheckpoint(instance: MethodInstance, file: string): CheckpointHeader {
  const checkpoint = openCheckpoint(file);
  checkpoint.loadModel(instance);
  return checkpoint.header;
}

/** What the training loop reports for each checkpoint it wrote. */
export interface SavedCheckpoint {
  step: number;
  epoch: number;
  path: string;
  bytes: number;
}
