import os from 'node:os';
import path from 'node:path';

/**
 * The embedded default database: the same per-user data folder Electron's app.getPath('userData')
 * uses for an app named ContrastLab, so the CLI and the desktop app share their runs.
 * CONTRASTLAB_DB overrides it.
 */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONTRASTLAB_DB) return path.resolve(env.CONTRASTLAB_DB);
  const home = os.homedir();
  let base: string;
  if (process.platform === 'win32') base = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
  else if (process.platform === 'darwin') base = path.join(home, 'Library', 'Application Support');
  else base = env.XDG_CONFIG_HOME ?? path.join(home, '.config');
  return path.join(base, 'ContrastLab', 'contrastlab.db');
}
