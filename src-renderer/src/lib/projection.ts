/** The 2-D projections the embedding map offers: PCA comes with the snapshot, UMAP runs in a worker. */
export const projectionMethods = ['pca', 'umap'] as const;
export type ProjectionMethod = (typeof projectionMethods)[number];

export interface ProjectionRequest {
  method: 'umap';
  /** An EmbeddingSnapshot's features: float32 little-endian, base64, [rows, dim]. */
  features: string;
  rows: number;
  dim: number;
}

export type ProjectionReply =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; points: [number, number][] }
  | { type: 'error'; message: string };

export interface ProjectionTask {
  promise: Promise<[number, number][]>;
  /** Stops the worker at once (another epoch or projection was chosen). */
  cancel(): void;
}

export class ProjectionCancelled extends Error {
  override name = 'ProjectionCancelled';
}

/**
 * Projects features in a Web Worker of its own, so the window stays responsive while UMAP runs; one
 * worker per request, terminated when it answers or is cancelled.
 */
export function projectInWorker(
  request: ProjectionRequest,
  onProgress: (fraction: number) => void,
): ProjectionTask {
  const worker = new Worker(new URL('./projection.worker.ts', import.meta.url), { type: 'module' });
  let settle: { reject(e: Error): void } | null = null;
  const promise = new Promise<[number, number][]>((resolve, reject) => {
    settle = { reject };
    worker.onmessage = (e: MessageEvent<ProjectionReply>) => {
      const reply = e.data;
      if (reply.type === 'progress') onProgress(reply.fraction);
      else {
        worker.terminate();
        if (reply.type === 'done') resolve(reply.points);
        else reject(new Error(reply.message));
      }
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || 'the projection worker failed'));
    };
  });
  worker.postMessage(request);
  return {
    promise,
    cancel: () => {
      worker.terminate();
      settle?.reject(new ProjectionCancelled('cancelled'));
    },
  };
}
