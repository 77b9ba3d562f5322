/**
 * The desktop transport, renderer side: `window.contrastlab` implements ContrastLabApi (plus native
 * dialogs, DesktopApi) by relaying each command over IPC to the engine host in Electron's main process.
 * The window runs with context isolation and the sandbox on, so this script is bundled to CommonJS and
 * `require('electron')` is the only module it loads; the page itself gets no Node and no ipcRenderer.
 */
import { createCommandProxy, unwrapReply } from '../api/client';
import type { DesktopApi } from '../api/commands';
import type { ApiReply } from '../api/dispatch';
import type { EngineEvent } from '../api/events';
import { ipcChannels } from '../transports/ipc/channels';
import type { ElectronPreload, IpcRendererEvent } from '../transports/ipc/electron-api';

// A sandboxed preload has a `require` for electron's own modules only; the bundle keeps this call.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as ElectronPreload;

/** One relaying function per command of the table (api/commands.ts), so a new command needs no change here. */
const commands = createCommandProxy(async (command, args) =>
  unwrapReply((await ipcRenderer.invoke(ipcChannels.invoke, command, args)) as ApiReply),
);

const api: DesktopApi = {
  ...commands,
  onEvent(listener: (event: EngineEvent) => void): () => void {
    const handler = (_e: IpcRendererEvent, event: unknown) => listener(event as EngineEvent);
    ipcRenderer.on(ipcChannels.event, handler);
    return () => {
      ipcRenderer.removeListener(ipcChannels.event, handler);
    };
  },
  pickDirectory: async () => (await ipcRenderer.invoke(ipcChannels.pickDirectory)) as string | null,
  saveFile: async (name: string, content: string | Uint8Array) =>
    (await ipcRenderer.invoke(ipcChannels.saveFile, name, content)) as string | null,
  saveCheckpoint: async (checkpointId: number) =>
    (await ipcRenderer.invoke(ipcChannels.saveCheckpoint, checkpointId)) as string | null,
};

contextBridge.exposeInMainWorld('contrastlab', api);
