/**
 * Electron's main process, kept thin (docs/ARCHITECTURE.md, "Processes"): one window, a menu, native
 * dialogs, and the API relayed over IPC to the engine host, which runs in a process of its own
 * (src-main/engine-host, an Electron utilityProcess) on the per-user database, so nothing the engine
 * computes can freeze the window.
 *
 * The window loads the built renderer from contrastlab://app/ (a privileged scheme served from
 * out/renderer with a Content-Security-Policy), with context isolation, the sandbox and no Node
 * integration; the preload gives the page `window.contrastlab` and nothing more.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ApiReply } from '../api/dispatch';
import type { CheckpointFile } from '../domain';
import { defaultDatabasePath } from '../engine/store/location';
import { mimeType, resolveStatic } from '../transports/http/static';
import { appOrigin, appScheme, ipcChannels } from '../transports/ipc/channels';
import type {
  BrowserWindow as AppWindow,
  ElectronMain,
  IpcMainInvokeEvent,
  MenuItemOptions,
} from '../transports/ipc/electron-api';
import { connectEngineHost, type EngineHostClient, type FromHost } from '../transports/ipc/host-channel';

// Loaded at run time, typed by electron-api.ts: the electron package may be absent where this is built.
const require = createRequire(import.meta.url);
const { app, BrowserWindow, Menu, dialog, ipcMain, protocol, session, shell, utilityProcess } =
  require('electron') as ElectronMain;

const here = path.dirname(fileURLToPath(import.meta.url));
const preloadFile = path.join(here, '../preload/index.cjs');
/**
 * The engine host process's entry: built beside this file (electron.vite.config.ts), or its TypeScript
 * source when this file itself runs from source under a TypeScript loader.
 */
const engineHostFile = fs.existsSync(path.join(here, 'engine-host.js'))
  ? path.join(here, 'engine-host.js')
  : path.join(here, '../engine-host/main.ts');
const rendererDir = path.join(here, '../renderer');
/** `electron-vite dev` serves the renderer with hot reload and says where. */
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Must happen before `ready`: a standard, secure scheme gets an origin, relative URLs and a secure context.
protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
// The per-user data folder is named after the app; the CLI's default database lives there too.
app.setName('ContrastLab');

/** `electron . --db FILE` opens another database; the default is the one the CLI uses. */
function databaseFile(): string {
  const i = process.argv.indexOf('--db');
  return i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]!) : defaultDatabasePath();
}

/**
 * better-sqlite3 compiled for this Electron's ABI, when `npm run rebuild:electron` has built one; the
 * default build in node_modules is for Node and stays that way for the CLI and the tests.
 */
function nativeBinding(): string | undefined {
  const file = path.join(
    app.getAppPath(),
    'native',
    `electron-${process.versions.modules}`,
    'better_sqlite3.node',
  );
  return fs.existsSync(file) ? file : undefined;
}

function isAppUrl(url: string): boolean {
  return url.startsWith(`${appOrigin}/`) || (devUrl !== undefined && url.startsWith(devUrl));
}

/** Only our own page may call the engine. */
function trusted(event: IpcMainInvokeEvent): boolean {
  return isAppUrl(event.senderFrame?.url ?? '');
}

function serveRenderer(): void {
  const root = fs.existsSync(rendererDir) ? fs.realpathSync(rendererDir) : null;
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    if (!root)
      return new Response(`The renderer is not built (no ${rendererDir}): run npm run build.`, {
        status: 503,
      });
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    const found = resolveStatic(root, url.pathname);
    if (!found.ok) return new Response(found.reason, { status: found.status });
    const body = await fs.promises.readFile(found.file);
    return new Response(body, {
      headers: {
        'Content-Type': mimeType(found.file),
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
  if (devUrl) {
    // The dev server's page gets the same policy, plus its hot-reload socket.
    const devCsp = csp.replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*");
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      const headers = details.responseHeaders ?? {};
      if (details.url.startsWith(devUrl)) headers['Content-Security-Policy'] = [devCsp];
      callback({ responseHeaders: headers });
    });
  }
}

function createWindow(): AppWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 920,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'ContrastLab',
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Paper links open in the user's browser; the window itself never leaves the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
  });
  void win.loadURL(devUrl ?? `${appOrigin}/index.html`);
  return win;
}

function buildMenu(dbFile: string): void {
  const mac = process.platform === 'darwin';
  const template: MenuItemOptions[] = [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Show Database in Folder', click: () => shell.showItemInFolder(dbFile) },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      label: 'Help',
      submenu: [
        {
          label: 'About ContrastLab',
          click: () => {
            const win = BrowserWindow.getFocusedWindow();
            if (win) {
              void dialog.showMessageBox(win, {
                type: 'info',
                title: 'ContrastLab',
                message: 'ContrastLab: a workbench for self-supervised and contrastive learning',
                detail: `Database: ${dbFile}`,
              });
            }
          },
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Starts the engine host process on the database (see src-main/engine-host/main.ts). */
function startEngineHost(dbFile: string): EngineHostClient {
  const binding = nativeBinding();
  const child = utilityProcess.fork(
    engineHostFile,
    ['--db', dbFile, ...(binding ? ['--sqlite-binding', binding] : [])],
    { serviceName: 'ContrastLab engine', stdio: 'inherit' },
  );
  return connectEngineHost(
    {
      send: (m, sent) => {
        child.postMessage(m);
        sent?.();
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as FromHost)),
    },
    (listener) => child.on('exit', listener),
  );
}

/** The save dialog's file types: the file's own (by its extension), then any. */
function saveFilters(file: string): { name: string; extensions: string[] }[] {
  const ext = path.extname(file).slice(1).toLowerCase();
  const names: Record<string, string> = {
    csv: 'CSV',
    html: 'HTML report',
    zip: 'Zip archive',
    ckpt: 'ContrastLab checkpoint',
  };
  const own = ext ? [{ name: names[ext] ?? ext.toUpperCase(), extensions: [ext] }] : [];
  return [...own, { name: 'All files', extensions: ['*'] }];
}

function relayApi(host: EngineHostClient): void {
  const refused: ApiReply = { error: 'refused: this page may not use the ContrastLab API', status: 400 };
  ipcMain.handle(ipcChannels.invoke, (event, command, args) => {
    if (!trusted(event)) return refused;
    if (typeof command !== 'string' || !Array.isArray(args))
      return { error: 'malformed request', status: 400 };
    return host.invoke(command, args);
  });
  ipcMain.handle(ipcChannels.pickDirectory, async (event) => {
    const win = trusted(event) ? BrowserWindow.fromWebContents(event.sender) : null;
    if (!win) return null;
    const r = await dialog.showOpenDialog(win, {
      title: 'Choose a dataset folder',
      properties: ['openDirectory'],
    });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  ipcMain.handle(ipcChannels.saveFile, async (event, name, content) => {
    const win = trusted(event) ? BrowserWindow.fromWebContents(event.sender) : null;
    const text = typeof content === 'string';
    if (!win || typeof name !== 'string' || !(text || content instanceof Uint8Array)) return null;
    const file = path.basename(name) || 'contrastlab.csv';
    const r = await dialog.showSaveDialog(win, {
      title: 'Export',
      defaultPath: path.join(app.getPath('documents'), file),
      filters: saveFilters(file),
    });
    if (r.canceled || !r.filePath) return null;
    await (text
      ? fs.promises.writeFile(r.filePath, content, 'utf8')
      : fs.promises.writeFile(r.filePath, content as Uint8Array));
    return r.filePath;
  });
  ipcMain.handle(ipcChannels.saveCheckpoint, async (event, checkpointId) => {
    const win = trusted(event) ? BrowserWindow.fromWebContents(event.sender) : null;
    if (!win || typeof checkpointId !== 'number') return null;
    // The engine host says where the file is; this process copies it (no bytes through IPC).
    const reply = await host.invoke('getCheckpointFile', [checkpointId]);
    if ('error' in reply) throw new Error(reply.error);
    const source = reply.result as CheckpointFile;
    const r = await dialog.showSaveDialog(win, {
      title: 'Save checkpoint',
      defaultPath: path.join(app.getPath('documents'), source.fileName),
      filters: saveFilters(source.fileName),
    });
    if (r.canceled || !r.filePath) return null;
    await fs.promises.copyFile(source.path, r.filePath);
    return r.filePath;
  });
  host.onEvent((e) => {
    for (const win of BrowserWindow.getAllWindows())
      if (!win.isDestroyed()) win.webContents.send(ipcChannels.event, e);
  });
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    // One engine host per user: the running window comes forward instead.
    app.quit();
    return;
  }
  let engine: EngineHostClient | null = null;
  let closed = false;

  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (engine && BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('before-quit', (event) => {
    if (!engine || closed) return;
    // Stop the runs this window started (each after its current step), then quit for real.
    event.preventDefault();
    const closing = engine;
    engine = null;
    void closing.close().finally(() => {
      closed = true;
      app.quit();
    });
  });

  void app.whenReady().then(async () => {
    const dbFile = databaseFile();
    const host = startEngineHost(dbFile);
    try {
      await host.ready;
    } catch (e) {
      dialog.showErrorBox(
        'ContrastLab cannot open its database',
        `${(e as Error).message}\n\nIf this mentions NODE_MODULE_VERSION, better-sqlite3 is built for Node rather than ` +
          'Electron: run `npm run rebuild:electron` once, then start again.',
      );
      app.exit(1);
      return;
    }
    engine = host;
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    serveRenderer();
    relayApi(host);
    buildMenu(dbFile);
    createWindow();
  });
}

main();
