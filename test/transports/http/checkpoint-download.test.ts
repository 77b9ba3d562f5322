import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine';
import { startServer, type RunningServer } from '../../../src-main/transports/http/server';
import { tempDir } from '../../helpers/cli';

let dir: string;
let engine: Engine;
let server: RunningServer;
let base: string;
let auth: Record<string, string>;
let checkpointId: number;
let runId: number;
let file: string;
/** Larger than a stream's chunk, so the download is streamed in pieces. */
const content = crypto.randomBytes(300_000);

beforeAll(async () => {
  dir = tempDir('contrastlab-checkpoint-download-');
  engine = new Engine(path.join(dir, 'lab.db'));
  server = await startServer({ api: engine.api, staticDir: path.join(dir, 'no-renderer') });
  base = `http://127.0.0.1:${server.port}`;
  auth = { 'x-contrastlab-token': server.token };
  // A run's checkpoint as the supervisor records it: a row naming a file.
  const run = engine.store.createRun({
    method: 'simclr',
    dataset: { id: 'synthetic' },
    config: { epochs: 2 },
    name: 'download',
  });
  runId = run.id;
  file = path.join(dir, 'step-16.ckpt');
  fs.writeFileSync(file, content);
  checkpointId = engine.store.checkpoints.add({
    runId,
    step: 16,
    epoch: 2,
    path: file,
    bytes: content.length,
  }).id;
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('browser-mode server: checkpoint downloads', () => {
  it("streams the checkpoint's file byte for byte, named after its run and step", async () => {
    const res = await fetch(`${base}/api/checkpoints/${checkpointId}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="contrastlab-run-${runId}-step-16.ckpt"`,
    );
    expect(res.headers.get('content-length')).toBe(String(content.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(content)).toBe(true);
    // HEAD: the same headers, no body.
    const head = await fetch(`${base}/api/checkpoints/${checkpointId}`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(content.length));
  });

  it('refuses a request without the token, and answers a bad id or method with one line', async () => {
    const anonymous = await fetch(`${base}/api/checkpoints/${checkpointId}`);
    expect(anonymous.status).toBe(401);
    expect(Buffer.from(await anonymous.arrayBuffer()).includes(content.subarray(0, 64))).toBe(false);

    const unknown = await fetch(`${base}/api/checkpoints/999`, { headers: auth });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'no checkpoint with id 999' });

    const notAnId = await fetch(`${base}/api/checkpoints/abc`, { headers: auth });
    expect(notAnId.status).toBe(400);
    expect(await notAnId.json()).toEqual({ error: 'checkpoints: "abc" is not a checkpoint id' });

    const post = await fetch(`${base}/api/checkpoints/${checkpointId}`, { method: 'POST', headers: auth });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers a checkpoint whose file is gone with one line, and the server goes on', async () => {
    const gone = path.join(dir, 'step-8.ckpt');
    fs.writeFileSync(gone, 'x');
    const id = engine.store.checkpoints.add({ runId, step: 8, epoch: 1, path: gone, bytes: 1 }).id;
    fs.rmSync(gone);
    const res = await fetch(`${base}/api/checkpoints/${id}`, { headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      `the file of checkpoint ${id} is gone (${gone})`,
    );
    expect((await fetch(`${base}/api/checkpoints/${checkpointId}`, { headers: auth })).status).toBe(200);
  });
});
