#!/usr/bin/env node
// Measures a run on a dataset larger than memory against the in-memory CIFAR-10 path, through the real
// `train` command (its worker process, its dataset cache): the time to build the cache, the training
// rate, and the run worker's peak memory (the run's `worker_peak_mb` metric). Each run trains `--steps`
// steps and is then stopped with Ctrl-C, as a user would.
//
//   node bench/make-image-folder.mjs /tmp/folder100k --count 100000 --size 96
//   node bench/measure-large-dataset.mjs --data-dir /tmp/folder100k [--steps 20] [--image-size 96]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    steps: { type: 'string', default: '20' },
    'image-size': { type: 'string', default: '96' },
    backbone: { type: 'string', default: 'convnet' },
    width: { type: 'string', default: '16' },
    'batch-size': { type: 'string', default: '128' },
    /** Keep the databases and dataset caches here (reused by a second invocation) instead of a temporary folder. */
    work: { type: 'string' },
  },
});
if (!values['data-dir']) {
  console.error(
    'usage: node bench/measure-large-dataset.mjs --data-dir FOLDER [--steps N] [--image-size PX]',
  );
  process.exit(2);
}
const repo = path.resolve(import.meta.dirname, '..');
const cifar = path.resolve(repo, '../shared/data/cifar10-subset/cifar-10-batches-bin');
const work = values.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-large-'));
fs.mkdirSync(work, { recursive: true });
const steps = Number(values.steps);

/** Trains until `steps` steps are done, then stops the run; returns what the database recorded. */
async function measure(label, datasetArgs) {
  const db = path.join(work, `${label.replace(/\W+/g, '-')}.db`);
  fs.rmSync(db, { force: true });
  const args = [
    path.join(repo, 'bin/contrastlab.js'),
    'train',
    '--method',
    'simclr',
    ...datasetArgs,
    '--backbone',
    values.backbone,
    '--width',
    values.width,
    '--batch-size',
    values['batch-size'],
    '--epochs',
    '1',
    '--set',
    'linearProbe=false',
    '--db',
    db,
    '--json',
  ];
  const started = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffer = '';
  let stopped = false;
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const event = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      if (!stopped && event.event === 'progress' && event.progress.step >= steps) {
        stopped = true;
        child.kill('SIGINT');
      }
    }
  });
  await new Promise((resolve) => child.on('close', resolve));
  const wall = (Date.now() - started) / 1000;
  const sql = new Database(db, { readonly: true });
  const points = (key) =>
    sql
      .prepare('SELECT step, value FROM metrics WHERE key = ? ORDER BY step')
      .all(key)
      .map((r) => r.value);
  const logs = sql.prepare('SELECT time, message FROM run_logs ORDER BY time').all();
  // Per-step rates from the loss points' wall times, leaving out each epoch's first step (it follows an
  // evaluation) and the run's first (set-up): steps × images × 2 views / seconds.
  const lossPoints = sql
    .prepare("SELECT step, epoch, wall_time FROM metrics WHERE key = 'loss' ORDER BY step")
    .all();
  const batch = Number(values['batch-size']);
  const rates = [];
  for (let k = 2; k < lossPoints.length; k++) {
    const [now, before] = [lossPoints[k], lossPoints[k - 1]];
    if (Math.floor(now.epoch - 1e-9) !== Math.floor(before.epoch - 1e-9)) continue;
    rates.push((2 * batch) / (now.wall_time - before.wall_time));
  }
  const peaks = points('worker_peak_mb');
  sql.close();
  const cacheLines = logs.filter((l) => l.message.startsWith('preparing the dataset cache'));
  rates.sort((a, b) => a - b);
  return {
    label,
    cacheSeconds: cacheLines.length > 1 ? cacheLines.at(-1).time - cacheLines[0].time : 0,
    imagesPerSecond: rates.length ? rates[Math.floor(rates.length / 2)] : null,
    peakMb: Math.max(...peaks),
    wallSeconds: wall,
  };
}

const size = values['image-size'];
const folder = ['--dataset', 'imagefolder', '--data-dir', values['data-dir']];
// On all images, evaluation fits on the first 10,000 and tests on 2,000: every evaluation of 100,000
// images at 96 px would take minutes here (see the evalTrainSize field).
const smallerEvaluation = ['--set', 'evalTrainSize=10000', '--test-size', '2000'];
const rows = [
  await measure('CIFAR-10 subset (4,660 images), in memory, 32 px', [
    '--dataset',
    'cifar10',
    '--data-dir',
    cifar,
  ]),
  await measure('the first 4,660 folder images, from the cache, 32 px', [
    ...folder,
    ...['--image-size', '32', '--train-size', '4660', '--test-size', '846'],
  ]),
  await measure('image folder, all images, from the cache, 32 px', [
    ...folder,
    ...['--image-size', '32', ...smallerEvaluation],
  ]),
  // The worker's memory should not grow with the dataset: the same run on 2,000 images and on all of them.
  await measure(`image folder, first 2,000 images, from the cache, ${size} px`, [
    ...folder,
    ...['--image-size', size, '--train-size', '2000', '--test-size', '500'],
  ]),
  await measure(`image folder, all images, from the cache, ${size} px`, [
    ...folder,
    ...['--image-size', size, ...smallerEvaluation],
  ]),
];
console.log(`| dataset | cache build (s) | training images/s (median) | worker peak memory (MB) |`);
console.log(`|---|---:|---:|---:|`);
for (const r of rows) {
  console.log(
    `| ${r.label} | ${r.cacheSeconds.toFixed(1)} | ${r.imagesPerSecond?.toFixed(0) ?? '—'} | ${r.peakMb.toFixed(0)} |`,
  );
}
if (!values.work) fs.rmSync(work, { recursive: true, force: true });
