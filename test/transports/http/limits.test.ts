import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine';
import { startServer, type RunningServer } from '../../../src-main/transports/http/server';
import type { MetricPoint } from '../../../src-main/domain';
import { tempDir } from '../../helpers/cli';
import { call } from '../../helpers/runs';

let dir: string;
let engine: Engine;
let server: RunningServer;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  dir = tempDir('contrastlab-limits-');
  engine = new Engine(path.join(dir, 'lab.db'));
  server = await startServer({ api: engine.api, staticDir: path.join(dir, 'none') });
  base = `http://127.0.0.1:${server.port}`;
  auth = { 'x-contrastlab-token': server.token };
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('browser-mode server: limits', () => {
  it('answers a request body over the limit with 413 and a JSON message, and goes on serving', async () => {
    const body = JSON.stringify({ args: [{ name: 'x'.repeat(2 << 20) }] });
    const res = await fetch(`${base}/api/listRuns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'the request body is over 1048576 bytes' });
    expect((await call(base, 'listRuns', [], auth)).status).toBe(200);
  });

  it("answers getMetrics for more run ids than SQLite's variable limit", async () => {
    const store = engine.store;
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = store.createRun({
        method: 'simclr',
        dataset: { id: 'synthetic' },
        config: { epochs: 1 },
        name: `run ${i}`,
      });
      ids.push(run.id);
      store.addMetrics(
        [1, 2].map((step) => ({
          runId: run.id,
          step,
          epoch: step / 2,
          key: 'loss',
          value: i + step,
          wallTime: 1,
        })),
      );
    }
    // SQLITE_MAX_VARIABLE_NUMBER is 32766 in this build: one `?` per id used to fail with 500.
    const many = [...ids, ...Array.from({ length: 40_000 }, (_, i) => 1_000_000 + i)];
    const r = await call(base, 'getMetrics', [many], auth);
    expect(r.status, r.body.error).toBe(200);
    const points = r.body.result as MetricPoint[];
    expect(points.map((p) => [p.runId, p.step])).toEqual(
      ids.flatMap((id) => [
        [id, 1],
        [id, 2],
      ]),
    );
    const some = await call(base, 'getMetrics', [many, ['loss', 'lr']], auth);
    expect(some.status, some.body.error).toBe(200);
    expect((some.body.result as MetricPoint[]).length).toBe(6);
  });
});
