/**
 * The part of Electron's API the app uses, typed here rather than through the `electron` package: that
 * package is an optionalDependency whose binary download fails on machines without internet,
 * and then its type definitions are absent too. The type check and the build must pass there, so
 * main.ts and the preload load `electron` at run time and view it through these interfaces, which
 * follow Electron's own definitions (electron.d.ts) for the members listed.
 */

export interface ElectronEvent {
  preventDefault(): void;
}

export interface WebContents {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  on(event: 'will-navigate', listener: (event: ElectronEvent, url: string) => void): this;
}

export interface BrowserWindowOptions {
  width?: number;
  height?: number;
  minWidth?: number;
  minHeight?: number;
  show?: boolean;
  title?: string;
  backgroundColor?: string;
  webPreferences?: {
    preload?: string;
    contextIsolation?: boolean;
    nodeIntegration?: boolean;
    nodeIntegrationInWorker?: boolean;
    sandbox?: boolean;
    webSecurity?: boolean;
    allowRunningInsecureContent?: boolean;
    webviewTag?: boolean;
    spellcheck?: boolean;
  };
}

export interface BrowserWindow {
  readonly webContents: WebContents;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  once(event: 'ready-to-show', listener: () => void): this;
  on(event: 'closed', listener: () => void): this;
}

export interface BrowserWindowConstructor {
  new (options?: BrowserWindowOptions): BrowserWindow;
  getAllWindows(): BrowserWindow[];
  fromWebContents(webContents: WebContents): BrowserWindow | null;
  getFocusedWindow(): BrowserWindow | null;
}

export interface App {
  readonly isPackaged: boolean;
  whenReady(): Promise<void>;
  setName(name: string): void;
  getAppPath(): string;
  getPath(name: 'userData' | 'documents' | 'downloads' | 'home'): string;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  exit(exitCode?: number): void;
  on(event: 'window-all-closed' | 'activate' | 'second-instance', listener: () => void): this;
  on(event: 'before-quit', listener: (event: ElectronEvent) => void): this;
}

export interface IpcMainInvokeEvent {
  readonly sender: WebContents;
  readonly senderFrame: { readonly url: string } | null;
}

export interface IpcMain {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface Dialog {
  showOpenDialog(
    window: BrowserWindow,
    options: {
      title?: string;
      defaultPath?: string;
      properties?: ('openFile' | 'openDirectory' | 'createDirectory')[];
    },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(
    window: BrowserWindow,
    options: { title?: string; defaultPath?: string; filters?: FileFilter[] },
  ): Promise<{ canceled: boolean; filePath?: string }>;
  showMessageBox(
    window: BrowserWindow,
    options: {
      type?: 'none' | 'info' | 'error' | 'question' | 'warning';
      title?: string;
      message: string;
      detail?: string;
    },
  ): Promise<{ response: number }>;
  showErrorBox(title: string, content: string): void;
}

export interface MenuItemOptions {
  label?: string;
  role?:
    | 'appMenu'
    | 'fileMenu'
    | 'editMenu'
    | 'viewMenu'
    | 'windowMenu'
    | 'quit'
    | 'close'
    | 'reload'
    | 'forceReload'
    | 'toggleDevTools'
    | 'resetZoom'
    | 'zoomIn'
    | 'zoomOut'
    | 'togglefullscreen'
    | 'about';
  type?: 'normal' | 'separator' | 'submenu';
  accelerator?: string;
  click?: () => void;
  submenu?: MenuItemOptions[];
}

export interface MenuStatic {
  buildFromTemplate(template: MenuItemOptions[]): unknown;
  setApplicationMenu(menu: unknown): void;
}

export interface Shell {
  openExternal(url: string): Promise<void>;
  showItemInFolder(fullPath: string): void;
}

export interface Protocol {
  registerSchemesAsPrivileged(
    schemes: {
      scheme: string;
      privileges: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean; corsEnabled?: boolean };
    }[],
  ): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

export interface Session {
  setPermissionRequestHandler(
    handler: (webContents: WebContents, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

/** A child process Electron starts with Node in it (Electron's `utilityProcess.fork`). */
export interface UtilityProcess {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  kill(): boolean;
}

export interface UtilityProcessStatic {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore'; env?: NodeJS.ProcessEnv },
  ): UtilityProcess;
}

/** `require('electron')` in the main process. */
export interface ElectronMain {
  utilityProcess: UtilityProcessStatic;
  app: App;
  BrowserWindow: BrowserWindowConstructor;
  ipcMain: IpcMain;
  dialog: Dialog;
  Menu: MenuStatic;
  shell: Shell;
  protocol: Protocol;
  session: { defaultSession: Session };
}

export interface IpcRendererEvent {
  readonly sender: unknown;
}

/** `require('electron')` in a sandboxed preload script. */
export interface ElectronPreload {
  contextBridge: { exposeInMainWorld(apiKey: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
    removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
  };
}
