/**
 * Run by wasm-threads.test.ts in a child process (the wasm module, threaded or not, is chosen once per
 * process): starts wasm with CONTRASTLAB_WASM_THREADS from the environment, computes threadedWorkload
 * and prints the thread count and the outputs' bytes as one JSON line.
 */
import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../../../src-main/engine/backend';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { threadedWorkload } from './wasm-threads-workload';

await initBackend('wasm');
const outputs = tf.tidy(threadedWorkload);
const values = await Promise.all(
  outputs.map(async (t) => Buffer.from((await t.data()).buffer).toString('base64')),
);
process.stdout.write(`${JSON.stringify({ threads: getThreadsCount(), values })}\n`);
