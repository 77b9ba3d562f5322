import { createCommandProxy } from '../../../src-main/api/client';
import type { ElectronBridge, HostApi } from './types';

/**
 * The Electron transport: every command goes straight to the preload's bridge (IPC underneath), which
 * is itself the command proxy over IPC (src-main/preload).
 */
export function electronApi(bridge: ElectronBridge): HostApi {
  return {
    ...createCommandProxy((command, args) =>
      (bridge[command as keyof ElectronBridge] as (...a: unknown[]) => Promise<unknown>)(...args),
    ),
    onEvent: (listener) => bridge.onEvent(listener),
    pickDirectory: () => bridge.pickDirectory(),
    saveFile: async (name, content) => (await bridge.saveFile(name, content)) !== null,
    saveCheckpoint: async (id) => (await bridge.saveCheckpoint(id)) !== null,
    onConnection(listener) {
      listener(true);
      return () => undefined;
    },
  };
}
