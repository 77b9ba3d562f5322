/**
 * Runs belong to the engine host that recorded them (store/hosts.ts): a process opening the database
 * marks a run interrupted only when its host is gone, never because its worker's pid is not recorded yet.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEARTBEAT_STALE_SECONDS } from '../../../src-main/engine/store/hosts';
import { Store } from '../../../src-main/engine/store/store';
import { tempDir } from '../../helpers/cli';

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir('contrastlab-hosts-');
  file = path.join(dir, 'lab.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const input = { method: 'simclr', dataset: { id: 'synthetic' as const }, config: {}, name: 'queued' };
const alivePids =
  (...pids: number[]) =>
  (pid: number) =>
    pids.includes(pid);

describe('hosts', () => {
  it("another process leaves a live host's queued runs alone, before any worker pid is recorded", () => {
    const host = new Store(file);
    const hostId = host.hosts.register(1111);
    // A 2×2 grid just recorded by host 1111: queued, no worker yet.
    const runs = [1, 2, 3, 4].map((i) => host.createRun({ ...input, name: `cell ${i}` }, hostId));
    const other = new Store(file);
    expect(other.markInterrupted(alivePids(1111))).toEqual([]);
    expect(runs.map((r) => other.getRun(r.id)!.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    other.close();
    host.close();
  });

  it('marks the runs of a dead, closed or silent host interrupted', () => {
    const store = new Store(file);
    const dead = store.createRun({ ...input, name: 'host died' }, store.hosts.register(2222));
    const closedHost = store.hosts.register(3333);
    const closed = store.createRun({ ...input, name: 'host closed' }, closedHost);
    store.hosts.close(closedHost);
    const live = store.createRun({ ...input, name: 'host alive' }, store.hosts.register(4444));
    expect(store.markInterrupted(alivePids(3333, 4444)).sort()).toEqual([dead.id, closed.id].sort());
    expect(store.getRun(dead.id)).toMatchObject({
      status: 'interrupted',
      error: 'the process training this run ended unexpectedly',
    });
    expect(store.getRun(live.id)!.status).toBe('queued');
    store.close();
  });

  it('takes a live pid whose heartbeat has long stopped for another process (a reused pid)', () => {
    const store = new Store(file);
    const id = store.hosts.register(5555);
    const now = Date.now() / 1000;
    expect(store.hosts.isAlive(id, alivePids(5555), now + HEARTBEAT_STALE_SECONDS - 1)).toBe(true);
    expect(store.hosts.isAlive(id, alivePids(5555), now + HEARTBEAT_STALE_SECONDS + 1)).toBe(false);
    store.hosts.heartbeat(id);
    expect(store.hosts.isAlive(id, alivePids(5555))).toBe(true);
    expect(store.hosts.isAlive(id, alivePids())).toBe(false);
    store.close();
  });
});
