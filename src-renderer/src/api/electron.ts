import type { EngineEvent } from '../../../src-main/api/events';
import type { ElectronBridge, HostApi } from './types';

/** The Electron transport: every call goes straight to the preload's bridge (IPC underneath). */
export function electronApi(bridge: ElectronBridge): HostApi {
  return {
    listMethods: () => bridge.listMethods(),
    listDatasets: () => bridge.listDatasets(),
    listRuns: () => bridge.listRuns(),
    getRun: (id) => bridge.getRun(id),
    createRun: (input) => bridge.createRun(input),
    stopRun: (id) => bridge.stopRun(id),
    updateRun: (id, patch) => bridge.updateRun(id, patch),
    deleteRun: (id) => bridge.deleteRun(id),
    getMetrics: (runIds, keys) => bridge.getMetrics(runIds, keys),
    getLogs: (runId) => bridge.getLogs(runId),
    exportCsv: (what, runIds) => bridge.exportCsv(what, runIds),
    getHistograms: (runId) => bridge.getHistograms(runId),
    listEmbeddings: (runId) => bridge.listEmbeddings(runId),
    getEmbedding: (runId, epoch) => bridge.getEmbedding(runId, epoch),
    getRetrieval: (runId, queryIndex, k) => bridge.getRetrieval(runId, queryIndex, k),
    getWorstQueries: (runId, k, count) => bridge.getWorstQueries(runId, k, count),
    getImages: (runId, refs) => bridge.getImages(runId, refs),
    previewAugmentations: (input) => bridge.previewAugmentations(input),
    listCheckpoints: (runId) => bridge.listCheckpoints(runId),
    startLinearProbe: (runId, checkpointId) => bridge.startLinearProbe(runId, checkpointId),
    listJobs: (runId) => bridge.listJobs(runId),
    createGrid: (input) => bridge.createGrid(input),
    listGrids: () => bridge.listGrids(),
    getGrid: (id) => bridge.getGrid(id),
    onEvent: (listener: (event: EngineEvent) => void) => bridge.onEvent(listener),
    pickDirectory: () => bridge.pickDirectory(),
    saveFile: async (name, content) => (await bridge.saveFile(name, content)) !== null,
    onConnection(listener) {
      listener(true);
      return () => undefined;
    },
  };
}
