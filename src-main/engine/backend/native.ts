import * as tf from '@tensorflow/tfjs-core';

export type NativePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

export type NativeLoad = { ok: true; gpu: boolean } | { ok: false; reason: string };

const loads = new Map<NativePackage, Promise<NativeLoad>>();

/**
 * Loads an optional libtensorflow package and makes its 'tensorflow' backend current. They are
 * optionalDependencies that fail to install without internet, so absence is normal, not an error.
 * The specifier is a variable so tsc and bundlers do not try to resolve a package that may be absent.
 */
export function loadNative(pkg: NativePackage): Promise<NativeLoad> {
  let load = loads.get(pkg);
  if (!load) {
    load = tryLoad(pkg);
    loads.set(pkg, load);
  }
  return load;
}

async function tryLoad(pkg: NativePackage): Promise<NativeLoad> {
  const specifier: string = pkg;
  try {
    await import(/* @vite-ignore */ specifier);
  } catch (err) {
    return { ok: false, reason: describeFailure(pkg, err) };
  }
  // A version mismatch would give the package its own tfjs-core, registering the backend there.
  if (!tf.findBackendFactory('tensorflow')) {
    return { ok: false, reason: `${pkg} loaded but did not register with this @tensorflow/tfjs-core` };
  }
  if (!(await tf.setBackend('tensorflow'))) {
    return { ok: false, reason: `${pkg} loaded but its backend failed to initialise` };
  }
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  return { ok: true, gpu: backend.isUsingGpuDevice === true };
}

function describeFailure(pkg: NativePackage, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = String(e?.message ?? err);
  const notFound =
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && message.includes(pkg);
  if (notFound) return `${pkg} is not installed`;
  return `${pkg} failed to load: ${message.split('\n')[0]}`;
}
