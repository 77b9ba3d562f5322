import { Engine } from '../engine/engine';
import { defaultDatabasePath } from '../engine/store/location';

/** The engine on the database named by --db, or the embedded default (CONTRASTLAB_DB overrides). */
export function openEngine(db: string | undefined): Engine {
  return new Engine(db ?? defaultDatabasePath());
}
