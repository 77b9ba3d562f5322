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
  // 2: evaluation data: similarity histograms and embeddings per epoch, checkpoints,
  // background jobs (linear probes) and grids of runs.
  `
  CREATE TABLE histograms (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    positive_json TEXT NOT NULL,
    negative_json TEXT NOT NULL,
    PRIMARY KEY (run_id, step)
  );
  -- split 'test': one row per evaluated epoch; split 'train': only the latest (retrieval), replaced.
  CREATE TABLE embeddings (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    split TEXT NOT NULL CHECK (split IN ('train','test')),
    step INTEGER NOT NULL,
    epoch REAL NOT NULL,
    count INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    indices BLOB NOT NULL,
    features BLOB NOT NULL,
    PRIMARY KEY (run_id, split, step)
  );
  CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch REAL NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX checkpoints_by_run ON checkpoints(run_id, step);
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed')),
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    result_json TEXT,
    error TEXT,
    worker_pid INTEGER,
    created_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE TABLE grids (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    cols_json TEXT NOT NULL,
    metric TEXT NOT NULL,
    run_ids_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // 3: the engine hosts that own runs (a run is cut off when its host is gone, not when a worker pid
  // is missing), each resume of a run, and the workbench's settings.
  `
  CREATE TABLE hosts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at REAL NOT NULL,
    closed_at TEXT
  );
  ALTER TABLE runs ADD COLUMN host_id INTEGER REFERENCES hosts(id);
  CREATE TABLE run_resumes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    resumed_at TEXT NOT NULL,
    from_step INTEGER NOT NULL,
    from_epoch REAL NOT NULL,
    checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL,
    epochs_before INTEGER NOT NULL,
    epochs INTEGER NOT NULL
  );
  CREATE INDEX run_resumes_by_run ON run_resumes(run_id, id);
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value_json TEXT NOT NULL
  );
  `,
  // 4: the datasets the user added in the Datasets view (a folder, a source), one per source and folder.
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_key TEXT NOT NULL UNIQUE,
    spec_json TEXT NOT NULL,
    name TEXT NOT NULL,
    added_at TEXT NOT NULL
  );
  `,
  // 5: where a run trains (a local worker or a Slurm job), each Slurm run's job and how far its events
  // file has been read, and grids of one axis with several seeds per cell run by an executor.
  `
  ALTER TABLE runs ADD COLUMN executor TEXT NOT NULL DEFAULT 'local' CHECK (executor IN ('local','slurm'));
  CREATE TABLE slurm_jobs (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    job_id TEXT NOT NULL,
    run_dir TEXT NOT NULL,
    script_path TEXT NOT NULL,
    output_path TEXT NOT NULL,
    profile_json TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    node TEXT,
    reason TEXT,
    events_offset INTEGER NOT NULL DEFAULT 0,
    worker_end_json TEXT,
    submitted_at TEXT NOT NULL
  );
  ALTER TABLE grids ADD COLUMN seeds_json TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE grids ADD COLUMN executor TEXT NOT NULL DEFAULT 'local';
  `,
  // 6: what a job was asked for beyond its checkpoint (a fine-tune's share of the labels and epochs);
  // NULL for the linear probes recorded before, which take nothing else.
  `
  ALTER TABLE jobs ADD COLUMN params_json TEXT;
  `,
  // 7: the epochs of the fine-tunes of a grid over the share of the labels (NULL: the paper's per share).
  `
  ALTER TABLE grids ADD COLUMN fine_tune_epochs INTEGER;
  `,
  // 8: LARS's trust coefficient became a field, defaulting to 0.02; the runs recorded before trained with
  // 0.001, and say so, so that resuming one goes on with the rate it had and Compare shows the difference.
  `
  UPDATE runs SET config_json = json_set(config_json, '$.larsTrustCoefficient', 0.001)
  WHERE json_type(config_json, '$.larsTrustCoefficient') IS NULL;
  `,
  // 9: SimCLR's defaults became the released code's (the head ending in batch norm, Nesterov momentum,
  // norms undecayed); its runs recorded before trained with a linear head end and plain SGD, and say so.
  `
  UPDATE runs SET config_json = json_set(config_json, '$.headOutput', 'linear')
  WHERE method = 'simclr' AND json_type(config_json, '$.headOutput') IS NULL;
  UPDATE runs SET config_json = json_set(config_json, '$.nesterov', json('false'))
  WHERE method = 'simclr' AND json_type(config_json, '$.nesterov') IS NULL;
  UPDATE runs SET config_json = json_set(config_json, '$.exemptNormsFromDecay', json('false'))
  WHERE method = 'simclr' AND json_type(config_json, '$.exemptNormsFromDecay') IS NULL;
  `,
];
