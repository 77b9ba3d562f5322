import type Database from 'better-sqlite3';
import { defaultSettings, type Settings } from '../../domain';

/** The `settings` table (migration 3): one row per setting that differs from its default, as JSON. */
export class SettingsTable {
  constructor(private readonly db: Database.Database) {}

  get(): Settings {
    const rows = this.db.prepare('SELECT key, value_json FROM settings').all() as {
      key: string;
      value_json: string;
    }[];
    const stored = Object.fromEntries(
      rows.filter((r) => Object.hasOwn(defaultSettings, r.key)).map((r) => [r.key, JSON.parse(r.value_json)]),
    );
    const settings = { ...defaultSettings, ...stored } as Settings;
    // A profile saved by an earlier version lacks the fields added since: they take their defaults.
    return { ...settings, slurm: { ...defaultSettings.slurm, ...settings.slurm } };
  }

  update(patch: Partial<Settings>): Settings {
    const put = this.db.prepare(
      'INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json',
    );
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch))
        if (value !== undefined) put.run(key, JSON.stringify(value));
    })();
    return this.get();
  }
}
