/**
 * The desktop transport, renderer side: `window.contrastlab` implements ContrastLabApi (plus native
 * dialogs, DesktopApi) by relaying each command over IPC to the engine host in Electron's main process.
 * The window runs with context isolation and the sandbox on, so this script is bundled to CommonJS and
 * `require('electron')` is the only module it loads; the page itself gets no Node and no ipcRenderer.
 */
import type { ElectronPreload, IpcRendererEvent } from '../transports/ipc/electron-api';
import { ipcChannels } from '../transports/ipc/channels';
import { apiCommandNames, type ContrastLabApi, type DesktopApi } from '../api/commands';
import type { ApiReply } from '../api/dispatch';
import type { EngineEvent } from '../api/events';

// A sandboxed preload has a `require` for electron's own modules only; the bundle keeps this call.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as ElectronPreload;

async function call(command: string, args: unknown[]): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(ipcChannels.invoke, command, args)) as ApiReply;
  if ('error' in reply) throw new Error(reply.error);
  return reply.result;
}

/** One relaying function per command of the contract, so a new command needs no change here. */
const commands = Object.fromEntries(
  apiCommandNames.map((name) => [name, (...args: unknown[]) => call(name, args)]),
) as unknown as Omit<ContrastLabApi, 'onEvent'>;

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
  saveFile: async (name: string, content: string) =>
    (await ipcRenderer.invoke(ipcChannels.saveFile, name, content)) as string | null,
};

contextBridge.exposeInMainWorld('contrastlab', api);
