/**
 * The Electron main process, run under Node with a stand-in `electron` module (the real binary is an
 * optional download that fails on CI): checks the window's security settings, the IPC relay of the API
 * to the engine host process and its sender check, the dialogs, event forwarding, the renderer scheme,
 * and a clean quit. The stand-in's utilityProcess.fork starts the real engine host (src-main/engine-host)
 * as a Node child process: the engine runs outside the main process, as under Electron.
 * Whether real Electron behaves as its documentation says is for the `_electron` Playwright test.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import Module from 'node:module';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiReply } from '../../src-main/api/dispatch';
import type { EngineEvent } from '../../src-main/api/events';
import { Store } from '../../src-main/engine/store/store';
import { tempDir } from '../helpers/cli';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class FakeWindow {
  static all: FakeWindow[] = [];
  url = '';
  sent: [string, unknown][] = [];
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  navigate: ((e: { preventDefault(): void }, url: string) => void) | null = null;
  readonly webContents = {
    id: 1,
    send: (channel: string, payload: unknown) => this.sent.push([channel, payload]),
    isDestroyed: () => false,
    setWindowOpenHandler: (h: FakeWindow['openHandler']) => (this.openHandler = h),
    on: (_event: string, h: FakeWindow['navigate']) => (this.navigate = h),
  };
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    FakeWindow.all.push(this);
  }
  static getAllWindows = () => FakeWindow.all;
  static getFocusedWindow = () => FakeWindow.all[0] ?? null;
  static fromWebContents = () => FakeWindow.all[0] ?? null;
  async loadURL(url: string) {
    this.url = url;
  }
  once() {}
  on() {}
  show() {}
  isDestroyed = () => false;
}

let dir: string;
const handlers = new Map<string, Handler>();
const appListeners = new Map<string, (e?: { preventDefault(): void }) => void>();
let schemeHandler: (r: Request) => Promise<Response>;
let permissionHandler: (wc: unknown, p: string, cb: (granted: boolean) => void) => void;
const quit = vi.fn();
const openExternal = vi.fn(async () => {});
const privileged: unknown[] = [];
let savePath: string;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** The engine host processes the main process started, with the module they ran. */
const hosts: { modulePath: string; child: ChildProcess }[] = [];

/** Electron's utilityProcess.fork, as a Node child process running the same module. */
function forkUtility(modulePath: string, args: string[] = []) {
  const child = fork(modulePath, args, { execArgv: ['--import', tsx], stdio: 'inherit' });
  hosts.push({ modulePath, child });
  const utility = {
    pid: child.pid,
    postMessage: (m: unknown) => child.send(m as object),
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      child.on(event, listener as (...a: unknown[]) => void);
      return utility;
    },
    kill: () => child.kill(),
  };
  return utility;
}

const originalLoad = (Module as unknown as { _load: (...a: unknown[]) => unknown })._load;
const argv = process.argv;

const trusted = { sender: {}, senderFrame: { url: 'contrastlab://app/index.html' } };
const foreign = { sender: {}, senderFrame: { url: 'https://evil.example/' } };
const invoke = (event: unknown, command: string, args: unknown[]) =>
  handlers.get('contrastlab:invoke')!(event, command, args) as Promise<ApiReply>;

beforeAll(async () => {
  dir = tempDir('contrastlab-electron-');
  savePath = path.join(dir, 'saved.csv');
  const electron = {
    app: {
      isPackaged: false,
      whenReady: () => Promise.resolve(),
      setName: () => {},
      getAppPath: () => dir,
      getPath: () => dir,
      requestSingleInstanceLock: () => true,
      quit,
      exit: vi.fn(),
      on: (event: string, listener: () => void) => appListeners.set(event, listener),
    },
    BrowserWindow: FakeWindow,
    utilityProcess: { fork: forkUtility },
    ipcMain: { handle: (channel: string, h: Handler) => handlers.set(channel, h) },
    dialog: {
      showOpenDialog: async () => ({ canceled: false, filePaths: ['/data/cifar-10-batches-bin'] }),
      showSaveDialog: async () => ({ canceled: false, filePath: savePath }),
      showMessageBox: async () => ({ response: 0 }),
      showErrorBox: (title: string, content: string) => {
        throw new Error(`${title}: ${content}`);
      },
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => {} },
    shell: { openExternal, showItemInFolder: () => {} },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => privileged.push(...s),
      handle: (_scheme: string, h: typeof schemeHandler) => (schemeHandler = h),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof permissionHandler) => (permissionHandler = h),
        webRequest: { onHeadersReceived: () => {} },
      },
    },
  };
  (Module as unknown as { _load: (...a: unknown[]) => unknown })._load = function (
    request: unknown,
    ...rest: unknown[]
  ) {
    return request === 'electron' ? electron : originalLoad.call(this, request, ...rest);
  };
  process.argv = [...argv, '--db', path.join(dir, 'lab.db')];
  await import('../../src-main/app/main');
  // The window opens once the engine host process has opened the database.
  for (let i = 0; i < 1500 && FakeWindow.all.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
});

afterAll(() => {
  for (const { child } of hosts) if (child.exitCode === null) child.kill('SIGKILL');
  (Module as unknown as { _load: unknown })._load = originalLoad;
  process.argv = argv;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Electron main process (with a stand-in electron module)', () => {
  it('opens one sandboxed, context-isolated window on the app scheme with the preload', () => {
    expect(FakeWindow.all).toHaveLength(1);
    const win = FakeWindow.all[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    });
    expect(String(win.options.webPreferences.preload)).toMatch(/preload[/\\]index\.cjs$/);
    expect(win.url).toBe('contrastlab://app/index.html');
    expect(privileged).toEqual([
      { scheme: 'contrastlab', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
  });

  it('relays API commands from its own page and refuses other senders', async () => {
    expect(await invoke(trusted, 'listRuns', [])).toEqual({ result: [] });
    const bad = await invoke(trusted, 'createRun', [
      { method: 'simclr', dataset: { id: 'synthetic' }, config: { epochs: 0 } },
    ]);
    expect(bad).toMatchObject({ status: 400, error: expect.stringMatching(/invalid value for "epochs"/) });
    expect(await invoke(trusted, 'nope', [])).toMatchObject({ status: 404 });
    expect(await invoke(foreign, 'listRuns', [])).toMatchObject({ error: expect.stringMatching(/refused/) });
    expect(await handlers.get('contrastlab:pick-directory')!(foreign)).toBeNull();
  });

  it('picks a folder and saves a file through native dialogs', async () => {
    expect(await handlers.get('contrastlab:pick-directory')!(trusted)).toBe('/data/cifar-10-batches-bin');
    expect(await handlers.get('contrastlab:save-file')!(trusted, 'runs.csv', 'a,b\r\n1,2\r\n')).toBe(
      savePath,
    );
    expect(fs.readFileSync(savePath, 'utf8')).toBe('a,b\r\n1,2\r\n');
  });

  it("saves bytes (a zipped report) and copies a checkpoint's file where the save dialog says", async () => {
    const zip = new Uint8Array([0x50, 0x4b, 3, 4, 0, 255]);
    expect(await handlers.get('contrastlab:save-file')!(trusted, 'report.zip', zip)).toBe(savePath);
    expect(new Uint8Array(fs.readFileSync(savePath))).toEqual(zip);

    const other = new Store(path.join(dir, 'lab.db'));
    const run = other.createRun({ method: 'simclr', dataset: { id: 'synthetic' }, config: {}, name: 'ckpt' });
    const file = path.join(dir, 'step-8.ckpt');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    fs.writeFileSync(file, bytes);
    const checkpoint = other.checkpoints.add({
      runId: run.id,
      step: 8,
      epoch: 1,
      path: file,
      bytes: bytes.length,
    });
    other.close();
    expect(await handlers.get('contrastlab:save-checkpoint')!(trusted, checkpoint.id)).toBe(savePath);
    expect(fs.readFileSync(savePath).equals(bytes)).toBe(true);
    expect(await handlers.get('contrastlab:save-checkpoint')!(foreign, checkpoint.id)).toBeNull();
    await expect(handlers.get('contrastlab:save-checkpoint')!(trusted, 999)).rejects.toThrow(
      'no checkpoint with id 999',
    );
  });

  it('forwards engine events to the window, including runs started by another process', async () => {
    const other = new Store(path.join(dir, 'lab.db'));
    const run = other.createRun({
      method: 'simclr',
      dataset: { id: 'synthetic' },
      config: {},
      name: 'from the CLI',
    });
    other.close();
    const win = FakeWindow.all[0]!;
    const arrived = () =>
      win.sent.some(([c, e]) => c === 'contrastlab:event' && (e as EngineEvent).event === 'run-created');
    for (let i = 0; i < 100 && !arrived(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(win.sent).toContainEqual([
      'contrastlab:event',
      expect.objectContaining({ event: 'run-created', run: expect.objectContaining({ id: run.id }) }),
    ]);
  });

  it('keeps the window in the app: external links open in the browser, permissions are denied', () => {
    const win = FakeWindow.all[0]!;
    expect(win.openHandler!({ url: 'https://arxiv.org/abs/2002.05709' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://arxiv.org/abs/2002.05709');
    const prevent = vi.fn();
    win.navigate!({ preventDefault: prevent }, 'file:///etc/passwd');
    expect(prevent).toHaveBeenCalled();
    const stay = vi.fn();
    win.navigate!({ preventDefault: stay }, 'contrastlab://app/index.html');
    expect(stay).not.toHaveBeenCalled();
    let granted: boolean | null = null;
    permissionHandler({}, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
  });

  it('serves the renderer only from its folder on the app scheme', async () => {
    // The source tree has no built renderer beside src-main/app; the bundle has out/renderer beside out/main.
    const r = await schemeHandler(new Request('contrastlab://app/index.html'));
    expect(r.status).toBe(503);
  });

  it('runs the engine in a process of its own: the engine host, not the main process', () => {
    expect(hosts).toHaveLength(1);
    expect(hosts[0]!.modulePath).toMatch(/engine-host[/\\]main\.ts$/);
    expect(hosts[0]!.child.pid).not.toBe(process.pid);
    expect(hosts[0]!.child.exitCode).toBeNull();
  });

  it('closes the engine host before quitting', async () => {
    const prevent = vi.fn();
    appListeners.get('before-quit')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    for (let i = 0; i < 200 && quit.mock.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(quit).toHaveBeenCalled();
    // The host closed its engine and exited on its own.
    const host = hosts[0]!.child;
    for (let i = 0; i < 100 && host.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(host.exitCode).toBe(0);
    const again = vi.fn();
    appListeners.get('before-quit')!({ preventDefault: again });
    expect(again).not.toHaveBeenCalled();
  });
});
