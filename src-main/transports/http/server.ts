/**
 * Browser mode's transport (docs/ARCHITECTURE.md, "Processes"): the typed API over HTTP and engine events over a
 * WebSocket, on 127.0.0.1 only, for whoever holds the random token.
 *
 *   POST /api/<command>          body {"args": [...]}  →  200 {"result": …} | 4xx/500 {"error": "message"}
 *   GET  /api/csv/<runs|metrics>?runs=1,2              →  the CSV as a download
 *   GET  /api/checkpoints/<id>                         →  a checkpoint's file as a download
 *   WS   /events                                       →  one JSON EngineEvent per message
 *   GET  /, /assets/…                                  →  the built renderer (out/renderer)
 *
 * The token goes in the `x-contrastlab-token` header or the `token` query parameter. The page is opened
 * as /?token=…; that response also sets an HttpOnly, SameSite=Strict cookie holding it, so the page's
 * own scripts and styles load, and its fetches and WebSocket are accepted even without the header.
 */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline, type Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ContrastLabApi } from '../../api/commands';

import { invoke, type ApiReply } from '../../api/dispatch';
import type { EngineEvent } from '../../api/events';
import { checkpointRoute, sendCheckpoint } from './checkpoint-download';
import {
  checkOrigin,
  contentSecurityPolicy,
  newToken,
  setSecurityHeaders,
  tokenCookie,
  tokenSource,
} from './security';
import { mimeType, resolveStatic } from './static';

/** Where `npm run build` puts the renderer: out/renderer at the repository root. */
export const defaultStaticDir = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

/** Request bodies are small JSON documents (a run's config); anything far larger is refused. */
const maxBodyBytes = 1 << 20;
/**
 * How much of a refused body is read and dropped, so that the client, still sending, gets to read the
 * 413 (closing a socket with unread data resets it, and the client sees only the reset). Past this,
 * the connection is cut.
 */
const maxDrainBytes = 64 << 20;

export interface ServerOptions {
  /** The API to serve: an engine's implementation (engine/engine.ts). */
  api: ContrastLabApi;
  /** 0 or absent: any free port. */
  port?: number;
  /** The built renderer; default out/renderer. */
  staticDir?: string;
  /** The access token; default 32 random bytes. Only for tests and launchers that must know it first. */
  token?: string;
}

export interface RunningServer {
  /** The page to open, token included: http://127.0.0.1:PORT/?token=… */
  url: string;
  token: string;
  port: number;
  /** The address listened on: always 127.0.0.1. */
  host: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) ?? '{}';
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = new HttpError(413, `the request body is over ${maxBodyBytes} bytes`);
    const declared = Number(req.headers['content-length']);
    if (declared > maxDrainBytes) {
      // Not worth reading: refused at once, and the connection closes after the answer.
      req.resume();
      return reject(tooLarge);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
      else if (size > maxDrainBytes) req.destroy();
    });
    req.on('end', () =>
      size > maxBodyBytes ? reject(tooLarge) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    // A client gone before the end of its body: nobody waits for the answer, and it is no fault of ours.
    const cutOff = () => reject(new HttpError(400, 'the request body was cut off'));
    req.on('error', cutOff);
    req.on('close', () => {
      if (!req.complete) cutOff();
    });
  });
}

/** The `args` of a POST body; an empty body means no arguments. */
function parseArgs(body: string): unknown[] {
  if (body.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'the request body must be a JSON object {"args": [...]}');
  }
  const args = (parsed as { args?: unknown }).args ?? [];
  if (!Array.isArray(args)) throw new HttpError(400, '"args" must be a JSON array');
  return args;
}

function replyStatus(reply: ApiReply): number {
  return 'error' in reply ? reply.status : 200;
}

function parseRunIds(raw: string | null): number[] | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  return raw.split(',').map((s) => {
    const id = Number(s.trim());
    if (!Number.isInteger(id) || id <= 0) throw new HttpError(400, `runs: "${s}" is not a run id`);
    return id;
  });
}

/** Starts the browser-mode server on 127.0.0.1; the engine behind the API stays the caller's to close. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { api } = options;
  const token = options.token ?? newToken();
  if (token.length < 16 || !/^[\w-]+$/.test(token))
    throw new Error('the access token must be 16+ word characters');
  const staticDir = path.resolve(options.staticDir ?? defaultStaticDir);
  const realStaticDir = fs.existsSync(staticDir) ? fs.realpathSync(staticDir) : null;
  let port = 0;

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = url.pathname.slice('/api/'.length);
    if (route.startsWith('csv/')) {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET for CSV downloads');
      const what = route.slice('csv/'.length);
      if (what !== 'runs' && what !== 'metrics' && what !== 'histograms')
        throw new HttpError(404, `no CSV export "${what}"; use runs, metrics or histograms`);
      const ids = parseRunIds(url.searchParams.get('runs'));
      const reply = await invoke(api, 'exportCsv', [what, ids]);
      if ('error' in reply) return sendJson(res, reply.status, { error: reply.error });
      const csv = String(reply.result);
      const name = `contrastlab-${what}${ids ? `-runs-${ids.join('-')}` : ''}.csv`;
      res.writeHead(200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}"`,
        'Content-Length': Buffer.byteLength(csv),
        'Cache-Control': 'no-store',
      });
      res.end(csv);
      return;
    }
    const checkpoint = checkpointRoute.exec(route);
    if (checkpoint) return sendCheckpoint(api, checkpoint[1]!, req, res);
    if (!/^[A-Za-z]+$/.test(route)) throw new HttpError(404, `unknown command "${route}"`);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      throw new HttpError(405, `use POST /api/${route} with a JSON body {"args": [...]}`);
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    // A JSON content type cannot be sent by a plain HTML form, so no page can post here without CORS.
    if (type !== 'application/json') throw new HttpError(415, 'send the body as application/json');
    const args = parseArgs(await readBody(req));
    const reply = await invoke(api, route, args);
    sendJson(res, replyStatus(reply), 'error' in reply ? { error: reply.error } : { result: reply.result });
  }

  function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL, setCookie: boolean): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed');
    }
    if (!realStaticDir) {
      return sendText(
        res,
        503,
        `The renderer is not built (no ${staticDir}). Run \`npm run build\`, then reload.`,
      );
    }
    const found = resolveStatic(realStaticDir, url.pathname);
    if (!found.ok) return sendText(res, found.status, found.reason);
    const type = mimeType(found.file);
    const headers: Record<string, string | number> = { 'Content-Type': type, 'Content-Length': found.size };
    // Vite names bundled assets by content hash: they never change under the same name.
    headers['Cache-Control'] = url.pathname.startsWith('/assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    if (type.startsWith('text/html')) {
      headers['Content-Security-Policy'] = contentSecurityPolicy(req.headers.host ?? `127.0.0.1:${port}`);
      if (setCookie) headers['Set-Cookie'] = tokenCookie(token, port);
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    // pipeline closes the file whichever side ends first: a client that goes away mid-file (a reload,
    // a closed tab) would otherwise leave it open, one descriptor per aborted load, until none are left.
    pipeline(fs.createReadStream(found.file), res, () => {
      // Errors (the client went away, the file could not be read) have destroyed both streams already.
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const isApi = url.pathname.startsWith('/api/');
    const refuse = (status: number, message: string) =>
      isApi ? sendJson(res, status, { error: message }) : sendText(res, status, message);
    const bad = checkOrigin(req, port);
    if (bad) return refuse(403, bad);
    const source = tokenSource(req, url, token, port);
    if (!source) {
      return refuse(
        401,
        'ContrastLab: missing or wrong access token; open the URL that `serve` printed (it ends in ?token=…)',
      );
    }
    try {
      if (isApi) await handleApi(req, res, url);
      else if (url.pathname === '/events') refuse(426, 'connect with a WebSocket');
      else handleStatic(req, res, url, source !== 'cookie');
    } catch (e) {
      if (res.headersSent) return void res.destroy();
      // The rest of a refused body is not waited for on this connection.
      if (e instanceof HttpError && e.status === 413) res.setHeader('Connection', 'close');
      if (e instanceof HttpError) return refuse(e.status, e.message);
      console.error('contrastlab: request failed:', e);
      refuse(500, (e as Error).message || 'internal error');
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/events') return refuse('404 Not Found');
    if (checkOrigin(req, port)) return refuse('403 Forbidden');
    if (!tokenSource(req, url, token, port)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => ws.terminate());
      // The channel is one-way: whatever a client sends is ignored.
    });
  });

  const offEngine = api.onEvent((event: EngineEvent) => {
    if (clients.size === 0) return;
    const text = JSON.stringify(event);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${options.port} on 127.0.0.1 is already in use`) : e);
    });
    // Loopback only, never 0.0.0.0: the token is a second lock, not the first.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  port = address.port;

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    host: address.address,
    close() {
      closing ??= new Promise<void>((resolve) => {
        offEngine();
        for (const ws of clients) ws.close(1001, 'server closing');
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const ws of clients) ws.terminate();
      });
      return closing;
    },
  };
}
