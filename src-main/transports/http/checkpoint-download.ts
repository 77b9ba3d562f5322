/**
 * GET /api/checkpoints/<id>: a checkpoint's file as a download, streamed from disk (a ResNet-50's is
 * hundreds of megabytes: never read whole into memory). The engine says where the file is
 * (getCheckpointFile); the token and origin were checked before this route runs.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { ContrastLabApi } from '../../api/commands';
import { invoke } from '../../api/dispatch';
import type { CheckpointFile } from '../../domain';

export const checkpointRoute = /^checkpoints\/([^/]+)$/;

function refuse(res: ServerResponse, status: number, error: string): void {
  const text = JSON.stringify({ error });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** Answers the download of checkpoint `rawId` (the route's path segment). */
export async function sendCheckpoint(
  api: ContrastLabApi,
  rawId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return refuse(res, 405, 'use GET for checkpoint downloads');
  }
  const id = Number(rawId);
  if (!/^\d+$/.test(rawId) || !Number.isSafeInteger(id) || id <= 0) {
    return refuse(res, 400, `checkpoints: "${rawId}" is not a checkpoint id`);
  }
  const reply = await invoke(api, 'getCheckpointFile', [id]);
  if ('error' in reply) return refuse(res, reply.status, reply.error);
  const file = reply.result as CheckpointFile;
  // Opened before the answer starts, so a file deleted in between is a clean error, not a cut download.
  let handle: fs.promises.FileHandle;
  let size: number;
  try {
    handle = await fs.promises.open(file.path, 'r');
    size = (await handle.stat()).size;
  } catch {
    return refuse(res, 404, `the file of checkpoint ${id} is gone`);
  }
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${file.fileName}"`,
    'Content-Length': size,
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    await handle.close();
    return void res.end();
  }
  // pipeline closes the file whichever side ends first (a cancelled download included).
  pipeline(handle.createReadStream({ start: 0, end: Math.max(0, size - 1) }), res, () => {
    void handle.close().catch(() => undefined);
  });
}
