import * as tf from '@tensorflow/tfjs-core';

import type { VulkanAddon, VulkanDeviceInfo } from './device';
import { Shaders } from './pipelines';

type DataId = object;
type NumericDtype = 'float32' | 'int32' | 'bool';

/**
 * A tensor's storage: a device buffer of 4-byte elements for float32, int32 and bool (bool as 0 or 1 in
 * an int32, so every shader reads one element size), or host values for strings, which no kernel of
 * this backend computes on.
 */
interface TensorData {
  buffer: number | null;
  strings: Uint8Array[] | null;
  dtype: tf.DataType;
  size: number;
  refCount: number;
}

/**
 * TensorFlow.js's `vulkan` backend: tensors live in Vulkan buffers, kernels are the project's compute
 * shaders (kernels/), recorded into one command buffer that is submitted when a value is read back. Ops
 * without a shader yet run on the cpu backend's kernels through `cpu-fallback.ts`.
 */
export class VulkanBackend extends tf.KernelBackend {
  readonly shaders: Shaders;
  private readonly data = new WeakMap<DataId, TensorData>();
  private count = 0;

  constructor(
    readonly addon: VulkanAddon,
    readonly info: VulkanDeviceInfo,
  ) {
    super();
    this.shaders = new Shaders(addon);
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): DataId {
    const dataId = {};
    this.move(dataId, values, shape, dtype, 1);
    return dataId;
  }

  override move(
    dataId: DataId,
    values: tf.backend_util.BackendValues | null,
    shape: number[],
    dtype: tf.DataType,
    refCount: number,
  ): void {
    if (dtype === 'complex64') throw new Error('The vulkan backend has no complex64 tensors');
    const size = tf.util.sizeFromShape(shape);
    if (dtype === 'string') {
      this.set(dataId, { buffer: null, strings: (values ?? []) as Uint8Array[], dtype, size, refCount });
      return;
    }
    const buffer = this.addon.allocate(size * 4);
    this.set(dataId, { buffer, strings: null, dtype, size, refCount });
    if (values !== null && values !== undefined && size > 0) {
      this.addon.write(buffer, deviceValues(values as tf.TypedArray, dtype as NumericDtype));
    }
  }

  /** A new tensor of `shape` whose contents a kernel is about to write. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo {
    const dataId = {};
    this.move(dataId, null, shape, dtype, 1);
    return { dataId, shape, dtype };
  }

  /** A tensor from host values (the cpu fallback's outputs). */
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo {
    return { dataId: this.write(values, shape, dtype), shape, dtype };
  }

  /** The device buffer of a numeric tensor. */
  bufferOf(info: tf.TensorInfo): number {
    const buffer = this.get(info.dataId).buffer;
    if (buffer === null) throw new Error(`A ${info.dtype} tensor has no device buffer`);
    return buffer;
  }

  override readSync(dataId: DataId): tf.backend_util.BackendValues {
    const data = this.get(dataId);
    if (data.strings) return data.strings;
    const raw = data.dtype === 'float32' ? new Float32Array(data.size) : new Int32Array(data.size);
    if (data.size > 0) this.addon.read(data.buffer!, raw);
    return data.dtype === 'bool' ? Uint8Array.from(raw) : raw;
  }

  override async read(dataId: DataId): Promise<tf.backend_util.BackendValues> {
    return this.readSync(dataId);
  }

  override refCount(dataId: DataId): number {
    return this.data.get(dataId)?.refCount ?? 0;
  }

  override incRef(dataId: DataId): void {
    this.get(dataId).refCount++;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const data = this.data.get(dataId);
    if (!data) return true;
    data.refCount--;
    if (!force && data.refCount > 0) return false;
    if (data.buffer !== null) this.addon.release(data.buffer);
    this.data.delete(dataId);
    this.count--;
    return true;
  }

  /** Releases a kernel's intermediate tensor. */
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void {
    this.disposeData(info.dataId);
  }

  override numDataIds(): number {
    return this.count;
  }

  override memory(): { unreliable: boolean; reasons: string[] } {
    return {
      unreliable: true,
      reasons: ['Buffers are pooled by size class; see the addon stats() for blocks.'],
    };
  }

  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    const start = tf.util.now();
    f();
    this.addon.flush(); // the recorded work, not just its recording
    return { kernelMs: tf.util.now() - start };
  }

  override timerAvailable(): boolean {
    return true;
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override dispose(): void {}

  private get(dataId: DataId): TensorData {
    const data = this.data.get(dataId);
    if (!data) throw new Error('The vulkan backend holds no such tensor (was it disposed?)');
    return data;
  }

  private set(dataId: DataId, data: TensorData): void {
    if (!this.data.has(dataId)) this.count++;
    this.data.set(dataId, data);
  }
}

/** Values as the device stores them: bool widened to int32. */
function deviceValues(values: tf.TypedArray, dtype: NumericDtype): Float32Array | Int32Array {
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values);
  return values instanceof Int32Array ? values : Int32Array.from(values);
}
