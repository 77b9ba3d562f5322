#!/usr/bin/env node
// Writes a large image folder (one subfolder per class, JPEG files) from the CIFAR-10 subset, to measure
// ContrastLab on a dataset larger than memory: each file is a CIFAR image, randomly cropped, flipped and
// brightened so that no two are alike, upscaled to the requested side.
//
//   node bench/make-image-folder.mjs OUT_DIR [--count 100000] [--size 96]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string', default: '100000' }, size: { type: 'string', default: '96' } },
});
const out = positionals[0];
if (!out) {
  console.error('usage: node bench/make-image-folder.mjs OUT_DIR [--count N] [--size PX]');
  process.exit(2);
}
const count = Number(values.count);
const size = Number(values.size);
const cifar = path.resolve(import.meta.dirname, '../../shared/data/cifar10-subset/cifar-10-batches-bin');
const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const records = [];
for (const f of fs
  .readdirSync(cifar)
  .filter((f) => /^data_batch_\d\.bin$/.test(f))
  .sort()) {
  const bytes = fs.readFileSync(path.join(cifar, f));
  for (let at = 0; at + 3073 <= bytes.length; at += 3073) {
    const hwc = Buffer.alloc(3072);
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) hwc[p * 3 + c] = bytes[at + 1 + c * 1024 + p];
    records.push({ label: bytes[at], hwc });
  }
}
for (const n of names) fs.mkdirSync(path.join(out, n), { recursive: true });

// A small deterministic generator (mulberry32), so the same command writes the same folder.
let state = 12345;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const started = Date.now();
const inFlight = os.availableParallelism() * 2;
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    const { label, hwc } = records[i % records.length];
    const side = 24 + Math.floor(random() * 9);
    const left = Math.floor(random() * (33 - side));
    const top = Math.floor(random() * (33 - side));
    let image = sharp(hwc, { raw: { width: 32, height: 32, channels: 3 } })
      .extract({ left, top, width: side, height: side })
      .resize(size, size)
      .modulate({ brightness: 0.8 + 0.4 * random() });
    if (random() < 0.5) image = image.flop();
    await image
      .jpeg({ quality: 90 })
      .toFile(path.join(out, names[label], `${String(i).padStart(6, '0')}.jpg`));
    if (i % 10000 === 0)
      console.error(`${i} / ${count} images, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}
await Promise.all(Array.from({ length: inFlight }, worker));
console.error(
  `wrote ${count} images of ${size}×${size} to ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
