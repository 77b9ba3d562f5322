/**
 * A real engine host (test/engine/services/worker-spawn.test.ts) that runs out of file descriptors just
 * as it starts a run's worker and a probe's worker, then gets them back. It prints one JSON line with
 * what became of each, and exits 0 only if it survived.
 */
import fs from 'node:fs';
import { Engine } from '../../../src-main/engine/engine';
import { tinyRun } from '../../helpers/runs';

const engine = new Engine(process.argv[2]!);
const hoard: number[] = [];
/** Opens descriptors until the process has none left: the next pipe or socket fails with EMFILE. */
const exhaust = () => {
  try {
    for (;;) hoard.push(fs.openSync('/dev/null', 'r'));
  } catch {
    // EMFILE: none left.
  }
};
const release = () => hoard.splice(0).forEach((fd) => fs.closeSync(fd));

// A run that completes first, so that there is a checkpoint to probe.
const done = await engine.waitForRun((await engine.api.createRun({ ...tinyRun, name: 'fine' })).id);

exhaust();
const starved = await engine.api.createRun({ ...tinyRun, name: 'starved' });
const starvedEnd = await engine.waitForRun(starved.id);
exhaust();
const job = await engine.api.startLinearProbe(done.id);
const jobEnd = await engine.waitForJob(job.id);
release();

// The host goes on: a run after the fault trains as usual.
const after = await engine.waitForRun((await engine.api.createRun({ ...tinyRun, name: 'after' })).id);
process.stdout.write(
  JSON.stringify({ done: done.status, starved: starvedEnd, job: jobEnd, after: after.status }) + '\n',
);
await engine.close();
