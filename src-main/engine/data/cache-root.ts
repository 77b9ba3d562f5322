import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The dataset cache's folder: `dataset-cache` beside the database, so the cache travels with the
 * experiments that use it; a temporary folder for an in-memory database.
 */
export function datasetCacheRoot(dbFile: string): string {
  if (dbFile === ':memory:' || dbFile === '') {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-dataset-cache-'));
  }
  return path.join(path.dirname(path.resolve(dbFile)), 'dataset-cache');
}
