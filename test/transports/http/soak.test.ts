import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Store } from '../../../src-main/engine/store/store';
import { startCli, tempDir } from '../../helpers/cli';

/**
 * A soak test of `contrastlab serve`: thousands of page, asset, API and WebSocket requests, many of them
 * cut off mid-response as browsers do (a reload, a closed tab), and the server's open descriptors
 * (/proc/PID/fd) must come back to where they were.
 */

const REQUESTS = 5000;
const CONCURRENCY = 16;
/**
 * Descriptors allowed above the start once the server is quiet: sockets the client has closed whose
 * 'close' the server has not handled yet when /proc is read. A constant, however many requests were made:
 * a leak of one descriptor per aborted load would be hundreds here.
 */
const SLACK = 4;

let dir: string;
let child: ChildProcess;
let port: number;
let token: string;
let stderr = '';

/** The server's open descriptors. */
const openDescriptors = () => fs.readdirSync(`/proc/${child.pid}/fd`).length;

beforeAll(async () => {
  dir = tempDir('contrastlab-soak-');
  const site = path.join(dir, 'site');
  fs.mkdirSync(path.join(site, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>ContrastLab</title>');
  // Far larger than the socket buffers, so that a client leaving after the first chunk leaves mid-file.
  fs.writeFileSync(path.join(site, 'assets', 'app-1.js'), 'x'.repeat(4 << 20));
  const db = path.join(dir, 'lab.db');
  new Store(db).close();
  child = startCli(['serve', '--db', db, '--static', site, '--port', '0']);
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c));
  // Read, or a full pipe would block the server at its next warning.
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  for (let i = 0; i < 600 && !stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
  const match = /127\.0\.0\.1:(\d+)\/\?token=(\w+)/.exec(stdout);
  if (!match) throw new Error(`serve printed no URL: ${stdout}`);
  port = Number(match[1]);
  token = match[2]!;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

type Kind = (typeof kinds)[number];
const kinds = [
  'page',
  'asset aborted mid-response',
  'asset aborted before the response',
  'api',
  'api error',
  'api aborted mid-body',
  'csv',
  'websocket',
] as const;

/** One request of a kind, on a connection of its own; resolves once the client is done with it. */
function request(kind: Kind): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = { 'x-contrastlab-token': token };
    if (kind === 'websocket') {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/events`, { headers });
      ws.once('open', () => {
        ws.terminate();
        resolve();
      });
      ws.once('error', reject);
      return;
    }
    const post = kind === 'api' || kind === 'api error' || kind === 'api aborted mid-body';
    const urlPath = {
      page: `/?token=${token}`,
      'asset aborted mid-response': '/assets/app-1.js',
      'asset aborted before the response': '/assets/app-1.js',
      api: '/api/listRuns',
      'api error': '/api/getRun',
      'api aborted mid-body': '/api/listRuns',
      csv: '/api/csv/runs',
    }[kind];
    const body = kind === 'api error' ? '{"args":[999]}' : '{"args":[]}';
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: post ? 'POST' : 'GET',
        agent: false,
        headers: post
          ? {
              ...headers,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body) + 100,
            }
          : headers,
      },
      (res) => {
        if (kind === 'asset aborted mid-response') {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
          return;
        }
        res.resume();
        res.on('end', () => resolve());
        res.on('error', reject);
      },
    );
    req.on('error', (e) => (req.destroyed ? resolve() : reject(e)));
    if (kind === 'api aborted mid-body') {
      // Half a body (the rest never comes): the client gives up waiting.
      req.write(body);
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 5);
    } else if (kind === 'asset aborted before the response') {
      req.end();
      setImmediate(() => {
        req.destroy();
        resolve();
      });
    } else if (post) {
      // The declared length is what the server reads: send exactly that.
      req.end(body + ' '.repeat(100));
    } else req.end();
  });
}

async function load(count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      await request(kinds[i % kinds.length]!);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

/** The descriptor count once it is down to `floor` (sockets closing), or whatever it is after `ms`. */
async function settled(floor: number, ms = 15_000): Promise<number> {
  const until = Date.now() + ms;
  let count = openDescriptors();
  while (count > floor && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    count = openDescriptors();
  }
  return count;
}

describe('browser-mode server under load', () => {
  it(`serves ${REQUESTS} page and API requests, many cut off, and gives back every descriptor`, async () => {
    // Warm up, so that what is opened once for good (modules, the SQLite files) is in the start count.
    await load(kinds.length * 20);
    await new Promise((r) => setTimeout(r, 1_000));
    const start = openDescriptors();
    await load(REQUESTS);
    const end = await settled(start);
    console.log(`soak: ${REQUESTS} requests, open descriptors ${start} before, ${end} after`);
    expect(end).toBeLessThanOrEqual(start + SLACK);
    // A client going away is no fault of the server's: nothing to report.
    expect(stderr).not.toMatch(/request failed|Error:/);
    // Still serving.
    const res = await fetch(`http://127.0.0.1:${port}/?token=${token}`);
    expect(res.status).toBe(200);
    expect(child.exitCode).toBeNull();
  });
});
