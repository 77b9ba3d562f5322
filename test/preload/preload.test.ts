/** The preload's `window.contrastlab`, with a stand-in for the sandbox's `require('electron')`. */
import Module from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiCommandNames, type DesktopApi } from '../../src-main/api/commands';
import type { EngineEvent } from '../../src-main/api/events';

type Listener = (event: unknown, payload: unknown) => void;
let exposed: { key: string; api: DesktopApi } | null = null;
const invoked: unknown[][] = [];
const listeners = new Set<Listener>();

beforeAll(async () => {
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: DesktopApi) => (exposed = { key, api }) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push([channel, ...args]);
        if (channel === 'contrastlab:pick-directory') return '/data';
        if (channel === 'contrastlab:save-file') return `/home/me/${args[0]}`;
        if (channel === 'contrastlab:save-checkpoint') return `/home/me/checkpoint-${args[0]}.ckpt`;
        return args[0] === 'getRun' ? { error: 'no run with id 7', status: 400 } : { result: [args[0]] };
      },
      on: (_channel: string, l: Listener) => listeners.add(l),
      removeListener: (_channel: string, l: Listener) => listeners.delete(l),
    },
  };
  const loader = Module as unknown as { _load: (...a: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: unknown, ...rest: unknown[]) {
    return request === 'electron' ? electron : original.call(this, request, ...rest);
  };
  try {
    await import('../../src-main/preload/index');
  } finally {
    loader._load = original;
  }
});

describe('preload', () => {
  it('exposes every API command plus the desktop extras as window.contrastlab', () => {
    expect(exposed?.key).toBe('contrastlab');
    for (const c of [...apiCommandNames, 'onEvent', 'pickDirectory', 'saveFile', 'saveCheckpoint'] as const) {
      expect(typeof exposed!.api[c]).toBe('function');
    }
  });

  it('relays commands over one IPC channel and turns { error } into a rejected Error', async () => {
    const api = exposed!.api;
    expect(await api.listRuns()).toEqual(['listRuns']);
    await api.getMetrics([1, 2], ['loss']);
    expect(invoked.at(-1)).toEqual(['contrastlab:invoke', 'getMetrics', [[1, 2], ['loss']]]);
    await expect(api.getRun(7)).rejects.toThrow('no run with id 7');
    expect(await api.pickDirectory()).toBe('/data');
    expect(await api.saveFile('m.csv', 'x')).toBe('/home/me/m.csv');
    // Bytes (a zipped report) go as they are; a checkpoint by its id, the main process copying the file.
    const zip = new Uint8Array([0x50, 0x4b, 3, 4]);
    expect(await api.saveFile('r.zip', zip)).toBe('/home/me/r.zip');
    expect(invoked.at(-1)).toEqual(['contrastlab:save-file', 'r.zip', zip]);
    expect(await api.saveCheckpoint(5)).toBe('/home/me/checkpoint-5.ckpt');
    expect(invoked.at(-1)).toEqual(['contrastlab:save-checkpoint', 5]);
  });

  it('subscribes to engine events and unsubscribes', () => {
    const seen: EngineEvent[] = [];
    const off = exposed!.api.onEvent((e) => seen.push(e));
    const event: EngineEvent = { event: 'metrics', points: [] };
    for (const l of listeners) l({}, event);
    off();
    expect(listeners.size).toBe(0);
    expect(seen).toEqual([event]);
  });
});
