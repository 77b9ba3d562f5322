import fs from 'node:fs';
import { checkpointDownloadName, ConfigError, type CheckpointFile } from '../../domain';
import type { Store } from '../store/store';

/**
 * Where a checkpoint's file is, for a download: the browser-mode server streams it, the desktop app
 * copies it where the user saves it. The size is the file's own, read now.
 */
export function checkpointFileOf(store: Store, checkpointId: number): CheckpointFile {
  const c = store.checkpoints.get(checkpointId);
  if (!c) throw new ConfigError(`no checkpoint with id ${checkpointId}`);
  let bytes: number;
  try {
    bytes = fs.statSync(c.path).size;
  } catch {
    throw new ConfigError(`the file of checkpoint ${c.id} is gone (${c.path})`);
  }
  return {
    checkpointId: c.id,
    runId: c.runId,
    step: c.step,
    path: c.path,
    fileName: checkpointDownloadName(c.runId, c.step),
    bytes,
  };
}
