import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine';
import { startServer, type RunningServer } from '../../../src-main/transports/http/server';
import { Store } from '../../../src-main/engine/store/store';
import type { EngineEvent } from '../../../src-main/api/events';
import type { Run } from '../../../src-main/domain';
import { tempDir } from '../../helpers/cli';
import { call, EventLog, tinyRun, upgradeStatus } from '../../helpers/runs';

let dir: string;
let engine: Engine;
let server: RunningServer;
let base: string;
let auth: Record<string, string>;

/** A raw GET, so the test controls every header (fetch sets Host and forbids changing it). */
function get(
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: urlPath, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  dir = tempDir('contrastlab-server-');
  const site = path.join(dir, 'site');
  fs.mkdirSync(path.join(site, 'assets'), { recursive: true });
  fs.writeFileSync(
    path.join(site, 'index.html'),
    '<!doctype html><title>ContrastLab</title><div id="app"></div>',
  );
  fs.writeFileSync(path.join(site, 'assets', 'app-1234.js'), 'console.log("app")');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'do not serve');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(site, 'assets', 'link.txt'));
  engine = new Engine(path.join(dir, 'lab.db'), { watch: { intervalMs: 100 } });
  server = await startServer({ api: engine.api, staticDir: site });
  base = `http://127.0.0.1:${server.port}`;
  auth = { 'x-contrastlab-token': server.token };
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('browser-mode server: access', () => {
  it('listens on 127.0.0.1 only, and prints a URL carrying a 64-hex-digit token', async () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`${base}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    const other = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (other) {
      // The same port on the machine's other address has nobody listening.
      const refused = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: other.address, port: server.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });

  it('refuses API calls without the token or with a wrong one (401)', async () => {
    const none = await call(base, 'listRuns', []);
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/token/);
    expect((await call(base, 'listRuns', [], { 'x-contrastlab-token': 'f'.repeat(64) })).status).toBe(401);
    const wrongQuery = await fetch(`${base}/api/listRuns?token=${'0'.repeat(64)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"args":[]}',
    });
    expect(wrongQuery.status).toBe(401);
    expect((await get(`/api/csv/runs`)).status).toBe(401);
  });

  it('refuses the event WebSocket without the token or with a wrong one (401)', async () => {
    const ws = `ws://127.0.0.1:${server.port}/events`;
    expect(await upgradeStatus(ws)).toBe(401);
    expect(await upgradeStatus(`${ws}?token=${'a'.repeat(64)}`)).toBe(401);
    expect(await upgradeStatus(ws, { 'x-contrastlab-token': 'nope' })).toBe(401);
    expect(await upgradeStatus(`${ws}?token=${server.token}`)).toBe(101);
    expect(await upgradeStatus(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).toBe(404);
  });

  it('refuses the page and its files without the token (401)', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/index.html')).status).toBe(401);
    expect((await get('/assets/app-1234.js')).status).toBe(401);
    expect((await get(`/?token=${'0'.repeat(64)}`)).status).toBe(401);
  });

  it('serves the page with the token, with a CSP and a cookie that lets its own files load', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="app">');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const cookie = String(page.headers['set-cookie']?.[0]);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await get('/assets/app-1234.js', { cookie: cookie.split(';')[0]! });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/text\/javascript/);
    expect(asset.body).toBe('console.log("app")');
    expect((await get('/assets/app-1234.js', { cookie: 'contrastlab_token_1=' + server.token })).status).toBe(
      401,
    );
  });

  it('never serves a file outside the renderer folder', async () => {
    const q = `?token=${server.token}`;
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/link.txt',
      '/assets/%00.js',
      '/missing.js',
    ]) {
      const r = await get(p + q);
      expect([400, 404], p).toContain(r.status);
      expect(r.body).not.toContain('do not serve');
    }
  });

  it('refuses another Host (DNS rebinding) and another page origin (403)', async () => {
    expect((await get(`/?token=${server.token}`, { host: `evil.example:${server.port}` })).status).toBe(403);
    const crossSite = await call(base, 'listRuns', [], { ...auth, origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await call(base, 'listRuns', [], { ...auth, origin: base });
    expect(sameOrigin.status).toBe(200);
    expect(
      await upgradeStatus(`ws://127.0.0.1:${server.port}/events?token=${server.token}`, {
        origin: 'http://evil.example',
      }),
    ).toBe(403);
  });
});

describe('browser-mode server: the API', () => {
  it('lists methods and datasets', async () => {
    const methods = await call(base, 'listMethods', [], auth);
    expect(methods.status).toBe(200);
    const simclr = (methods.body.result as { id: string; paper: { year: number } }[]).find(
      (m) => m.id === 'simclr',
    );
    expect(simclr?.paper.year).toBe(2020);
    const datasets = await call(base, 'listDatasets', [], auth);
    expect((datasets.body.result as { id: string }[]).map((d) => d.id)).toContain('synthetic');
  });

  it('answers an unknown command with 404 and a message naming it', async () => {
    const r = await call(base, 'dropDatabase', [], auth);
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/unknown command "dropDatabase"/);
    expect(r.body.error).toMatch(/listRuns/);
    expect((await call(base, 'constructor', [], auth)).status).toBe(404);
  });

  it('answers malformed arguments with 400 and says which', async () => {
    const r = await call(base, 'getRun', ['seven'], auth);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/getRun: invalid id/);
    const extra = await call(base, 'listRuns', [1], auth);
    expect(extra.status).toBe(400);
    const badJson = await fetch(`${base}/api/listRuns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: '{"args": [',
    });
    expect(badJson.status).toBe(400);
    const plain = await fetch(`${base}/api/listRuns`, { method: 'POST', headers: auth, body: '{"args":[]}' });
    expect(plain.status).toBe(415);
    const getApi = await fetch(`${base}/api/listRuns`, { headers: auth });
    expect(getApi.status).toBe(405);
  });

  it("answers an invalid config with 400 and the engine's own message, recording nothing", async () => {
    const r = await call(
      base,
      'createRun',
      [{ ...tinyRun, config: { ...tinyRun.config, temperature: -1 } }],
      auth,
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/invalid value for "temperature" \(method simclr\)/);
    const unknownKey = await call(base, 'createRun', [{ ...tinyRun, config: { nonsense: 1 } }], auth);
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error).toMatch(/unknown config key "nonsense"/);
    const unknownMethod = await call(base, 'createRun', [{ ...tinyRun, method: 'nope' }], auth);
    expect(unknownMethod.body.error).toMatch(/unknown method "nope"/);
    const missingRun = await call(base, 'getRun', [999], auth);
    expect(missingRun.status).toBe(400);
    expect(missingRun.body.error).toMatch(/no run with id 999/);
    expect((await call(base, 'listRuns', [], auth)).body.result).toEqual([]);
  });

  it('creates a run whose events arrive over the WebSocket, then exports it as CSV downloads', async () => {
    const events = await EventLog.open(`ws://127.0.0.1:${server.port}/events?token=${server.token}`);
    try {
      const created = await call(
        base,
        'createRun',
        [{ ...tinyRun, name: 'over http', tags: ['server'] }],
        auth,
      );
      expect(created.status).toBe(200);
      const run = created.body.result as Run;
      expect(run).toMatchObject({ name: 'over http', status: 'queued', tags: ['server'] });
      expect(run.config).toMatchObject({ epochs: 1, width: 8, batchSize: 64, projectionHiddenDim: 64 });

      await events.waitFor((e) => e.event === 'run-created' && e.run.id === run.id);
      const done = await events.waitFor(
        (e) =>
          e.event === 'run-updated' &&
          e.run.id === run.id &&
          e.run.status !== 'queued' &&
          e.run.status !== 'running',
      );
      expect(done).toMatchObject({ run: { status: 'completed' } });
      const kinds = new Set(events.events.map((e) => e.event));
      for (const k of ['run-created', 'run-updated', 'metrics', 'progress'] as const)
        expect(kinds).toContain(k);
      const streamed = events.events
        .filter((e): e is Extract<EngineEvent, { event: 'metrics' }> => e.event === 'metrics')
        .flatMap((e) => e.points)
        .filter((p) => p.runId === run.id);

      // The watcher does not echo the engine's own writes: every point arrives exactly once.
      await new Promise((r) => setTimeout(r, 400));
      const stored = (await call(base, 'getMetrics', [[run.id]], auth)).body.result as unknown[];
      const again = events.events
        .filter((e): e is Extract<EngineEvent, { event: 'metrics' }> => e.event === 'metrics')
        .flatMap((e) => e.points)
        .filter((p) => p.runId === run.id);
      expect(again.length).toBe(streamed.length);
      expect(stored.length).toBe(streamed.length);

      const listed = (await call(base, 'listRuns', [], auth)).body.result as Run[];
      expect(listed.map((r) => r.id)).toEqual([run.id]);
      expect(listed[0]!.summary.loss).toEqual(expect.any(Number));

      const metricsCsv = await fetch(`${base}/api/csv/metrics?runs=${run.id}&token=${server.token}`);
      expect(metricsCsv.status).toBe(200);
      expect(metricsCsv.headers.get('content-type')).toMatch(/text\/csv/);
      expect(metricsCsv.headers.get('content-disposition')).toBe(
        `attachment; filename="contrastlab-metrics-runs-${run.id}.csv"`,
      );
      const rows = parse(await metricsCsv.text(), { columns: true }) as Record<string, string>[];
      expect(rows.length).toBe(stored.length);
      expect(rows.some((r) => r.key === 'loss' && r.run_name === 'over http')).toBe(true);

      const runsCsv = await fetch(`${base}/api/csv/runs`, { headers: auth });
      expect(runsCsv.headers.get('content-disposition')).toMatch(
        /attachment; filename="contrastlab-runs.csv"/,
      );
      const runRows = parse(await runsCsv.text(), { columns: true }) as Record<string, string>[];
      expect(runRows).toMatchObject([{ run_id: String(run.id), name: 'over http', status: 'completed' }]);

      const missing = await fetch(`${base}/api/csv/runs?runs=${run.id},999`, { headers: auth });
      expect(missing.status).toBe(400);
      expect(((await missing.json()) as { error: string }).error).toMatch(/no run with id 999/);
      expect((await fetch(`${base}/api/csv/weights`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${base}/api/csv/runs?runs=x`, { headers: auth })).status).toBe(400);

      const renamed = await call(base, 'updateRun', [run.id, { name: 'renamed', notes: 'n' }], auth);
      expect(renamed.body.result).toMatchObject({ name: 'renamed', notes: 'n', tags: ['server'] });
      await events.waitFor((e) => e.event === 'run-updated' && e.run.name === 'renamed');
      expect((await call(base, 'deleteRun', [run.id], auth)).status).toBe(200);
      expect((await call(base, 'listRuns', [], auth)).body.result).toEqual([]);
    } finally {
      events.close();
    }
  });

  it('pushes runs written by another process on the same database over the WebSocket', async () => {
    const events = await EventLog.open(`ws://127.0.0.1:${server.port}/events`, auth);
    const other = new Store(path.join(dir, 'lab.db'));
    try {
      const run = other.createRun({
        ...tinyRun,
        dataset: { id: 'synthetic' },
        config: { epochs: 1 },
        name: 'from the CLI',
      });
      const created = await events.waitFor((e) => e.event === 'run-created' && e.run.id === run.id, 10_000);
      expect(created).toMatchObject({ run: { name: 'from the CLI', status: 'queued' } });
      other.markStarted(run.id, 'wasm', 'CPU', null);
      other.addMetrics([{ runId: run.id, step: 1, epoch: 0.5, key: 'loss', value: 4.2, wallTime: 1 }]);
      await events.waitFor(
        (e) => e.event === 'run-updated' && e.run.id === run.id && e.run.status === 'running',
        10_000,
      );
      const metrics = await events.waitFor(
        (e) => e.event === 'metrics' && e.points[0]?.runId === run.id,
        10_000,
      );
      expect(metrics).toMatchObject({ points: [{ runId: run.id, step: 1, key: 'loss', value: 4.2 }] });
    } finally {
      other.close();
      events.close();
    }
  });
});
