/**
 * The engine host process (src-main/engine-host/main.ts), started as the desktop app starts it but as a
 * Node child process: it opens the database, answers commands, forwards events, refuses a database it
 * cannot open with one line, and ends when asked to close or when its parent goes away.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src-main/api/events';
import { Store } from '../../src-main/engine/store/store';
import { connectEngineHost, type FromHost } from '../../src-main/transports/ipc/host-channel';
import { repoRoot, tempDir } from '../helpers/cli';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dirs: string[] = [];
const children: ChildProcess[] = [];

function startHost(args: string[]) {
  const child = fork(path.join(repoRoot, 'src-main/engine-host/main.ts'), args, {
    execArgv: ['--import', tsx],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const client = connectEngineHost(
    {
      send: (m, sent) => child.send(m, undefined, undefined, () => sent?.()),
      onMessage: (listener) => child.on('message', (m) => listener(m as FromHost)),
    },
    (listener) => child.on('exit', listener),
  );
  return { child, client, exited };
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('engine host process', () => {
  it('answers commands, forwards events of other writers, and exits 0 once closed', async () => {
    const dir = tempDir('contrastlab-host-');
    dirs.push(dir);
    const db = path.join(dir, 'lab.db');
    const { client, exited } = startHost(['--db', db]);
    await client.ready;
    expect(await client.invoke('listRuns', [])).toEqual({ result: [] });
    expect(await client.invoke('getRun', [1])).toEqual({ error: 'no run with id 1', status: 400 });

    const events: EngineEvent[] = [];
    client.onEvent((e) => events.push(e));
    const other = new Store(db);
    const run = other.createRun({ method: 'simclr', dataset: { id: 'synthetic' }, config: {}, name: 'cli' });
    other.close();
    for (let i = 0; i < 200 && !events.some((e) => e.event === 'run-created'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'run-created', run: expect.objectContaining({ id: run.id }) }),
    );

    await client.close();
    expect(await exited).toBe(0);
    expect(await client.invoke('listRuns', [])).toMatchObject({ status: 500 });
  });

  it('refuses a database it cannot open with one line, and exits 1', async () => {
    const dir = tempDir('contrastlab-host-');
    dirs.push(dir);
    // A folder where the database file should be.
    const db = path.join(dir, 'a-folder.db');
    fs.mkdirSync(db);
    const { client, exited } = startHost(['--db', db]);
    await expect(client.ready).rejects.toThrow(/cannot open database .*a-folder\.db/);
    expect(await exited).toBe(1);
  });

  it('closes its engine and exits when its parent goes away', async () => {
    const dir = tempDir('contrastlab-host-');
    dirs.push(dir);
    const { child, client, exited } = startHost(['--db', path.join(dir, 'lab.db')]);
    await client.ready;
    child.disconnect();
    expect(await exited).toBe(0);
  });
});
