/** The embedding map's worker: decodes the snapshot's features and runs UMAP off the UI thread. */
import { decodeFeatures } from './features';
import type { ProjectionReply, ProjectionRequest } from './projection';
import { umap2d } from './umap';

// The renderer's tsconfig has the DOM library, not WebWorker's: the two members used here, typed.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ProjectionRequest>) => void) | null;
  postMessage(message: ProjectionReply): void;
};

scope.onmessage = (e) => {
  const { features, rows, dim } = e.data;
  try {
    const data = decodeFeatures(features, rows, dim);
    const points = umap2d(data, (fraction) => scope.postMessage({ type: 'progress', fraction }));
    scope.postMessage({ type: 'done', points });
  } catch (error) {
    scope.postMessage({ type: 'error', message: (error as Error).message });
  }
};
