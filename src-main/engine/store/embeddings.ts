import type Database from 'better-sqlite3';
import { bytesToFloat32, bytesToInt32, typedArrayBytes } from '../util/base64';

/** Features of the first images of a split at one evaluation, as stored (L2-normalised, row-major). */
export interface StoredEmbedding {
  runId: number;
  split: 'train' | 'test';
  step: number;
  epoch: number;
  dim: number;
  /** Positions in the split, one per row. */
  indices: Int32Array;
  features: Float32Array;
}

interface EmbeddingRow {
  run_id: number;
  split: 'train' | 'test';
  step: number;
  epoch: number;
  count: number;
  dim: number;
  indices: Buffer;
  features: Buffer;
}

/**
 * The `embeddings` table (migration 2): the test split's embedding at every evaluated step (the
 * embedding map), and the training split's at the latest one only (retrieval), replaced each time.
 * Both as raw little-endian bytes: int32 indices, float32 features.
 */
export class EmbeddingTable {
  constructor(private readonly db: Database.Database) {}

  put(e: StoredEmbedding): void {
    const count = e.indices.length;
    if (e.features.length !== count * e.dim) {
      throw new Error(
        `${count} rows of ${e.dim} features need ${count * e.dim} values, got ${e.features.length}`,
      );
    }
    this.db.transaction(() => {
      if (e.split === 'train') {
        this.db.prepare(`DELETE FROM embeddings WHERE run_id = ? AND split = 'train'`).run(e.runId);
      }
      this.db
        .prepare(
          `INSERT OR REPLACE INTO embeddings (run_id, split, step, epoch, count, dim, indices, features)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          e.runId,
          e.split,
          e.step,
          e.epoch,
          count,
          e.dim,
          typedArrayBytes(e.indices),
          typedArrayBytes(e.features),
        );
    })();
  }

  /** The evaluations with a stored embedding of `split`, oldest first. */
  epochs(runId: number, split: 'train' | 'test' = 'test'): { step: number; epoch: number }[] {
    return this.db
      .prepare('SELECT step, epoch FROM embeddings WHERE run_id = ? AND split = ? ORDER BY step')
      .all(runId, split) as { step: number; epoch: number }[];
  }

  /** The embedding of `split` at `step`, or at the latest step when omitted; null when there is none. */
  get(runId: number, split: 'train' | 'test', step?: number): StoredEmbedding | null {
    const row = (
      step === undefined
        ? this.db
            .prepare('SELECT * FROM embeddings WHERE run_id = ? AND split = ? ORDER BY step DESC LIMIT 1')
            .get(runId, split)
        : this.db
            .prepare('SELECT * FROM embeddings WHERE run_id = ? AND split = ? AND step = ?')
            .get(runId, split, step)
    ) as EmbeddingRow | undefined;
    if (!row) return null;
    return {
      runId: row.run_id,
      split: row.split,
      step: row.step,
      epoch: row.epoch,
      dim: row.dim,
      indices: bytesToInt32(row.indices),
      features: bytesToFloat32(row.features),
    };
  }
}
