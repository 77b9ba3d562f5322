/**
 * Versioned schema migrations, applied in order and recorded in SQLite's user_version. Never edit a
 * shipped migration: add the next one.
 */
export const migrations: string[] = [
  // 1: runs, metric points and worker log lines.
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','stopped','interrupted')),
    dataset_json TEXT NOT NULL,
    backend_preference TEXT NOT NULL,
    backend TEXT,
    device TEXT,
    config_json TEXT NOT NULL,
    tags_json TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    error TEXT,
    worker_pid INTEGER,
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT
  );
  CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch REAL NOT NULL,
    key TEXT NOT NULL,
    value REAL NOT NULL,
    wall_time REAL NOT NULL
  );
  CREATE INDEX metrics_by_run_key ON metrics(run_id, key, step);
  CREATE TABLE run_logs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    time REAL NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX run_logs_by_run ON run_logs(run_id, time);
  `,
];
