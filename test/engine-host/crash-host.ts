/**
 * An engine host for the crash tests: the real Engine in a process of its own, which the test kills.
 * It creates a run (`create`) or resumes one (`resume RUN_ID`) and prints every engine event as a JSON
 * line once the host has committed it, then exits when the run ends.
 *
 *   node --import tsx crash-host.ts DB create|resume [RUN_ID]
 */
import { Engine } from '../../src-main/engine/engine';
import { crashRun } from './crash-run';

const [db, mode, id] = process.argv.slice(2);
const engine = new Engine(db!);
engine.on((e) => process.stdout.write(JSON.stringify(e) + '\n'));
const run = mode === 'resume' ? await engine.api.resumeRun(Number(id)) : await engine.api.createRun(crashRun);
process.stdout.write(JSON.stringify({ event: 'host-run', run }) + '\n');
await engine.waitForRun(run.id);
await engine.close();
