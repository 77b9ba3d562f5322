import type {
  EmbeddingEpoch,
  EmbeddingSnapshot,
  ImageRef,
  ImageTile,
  RetrievalRanking,
  RetrievalResult,
  Run,
  SimilarityHistogram,
} from '../../domain';
import { evalTrainSplit, type Dataset } from '../data/dataset';
import type { DatasetCache } from '../data/preview';
import { tileFromSplit } from '../data/tiles';
import { pca2d } from '../eval/pca';
import {
  nearestNeighbours,
  precisionAtK,
  scoreQueries,
  worstQueries,
  type QueryScore,
} from '../eval/retrieval';
import { rows, type Rows } from '../eval/rows';
import { ConfigError } from '../../domain';
import type { StoredEmbedding } from '../store/embeddings';
import type { Store } from '../store/store';
import { float32ToBase64 } from '../util/base64';

/** Queries scored between two yields to the event loop: the host keeps answering other requests. */
const QUERIES_PER_SLICE = 32;
/** How many PCA results and worst-query rankings are kept (they cost up to seconds to compute). */
const CACHE_SIZE = 8;

/** A small map that forgets its oldest entry beyond `capacity`. */
class Recent<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

const asRows = (e: StoredEmbedding): Rows => rows(e.features, e.indices.length, e.dim);
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The evaluation queries: the similarity histograms, the embedding map, retrieval and dataset images,
 * answered from what run workers recorded (runner/callbacks report histograms and embeddings; the run
 * supervisor stores them). Labels and pixels come from the run's dataset, loaded in the host (cached).
 */
export class EvaluationQueries {
  private readonly pcas = new Recent<[number, number][]>(CACHE_SIZE);
  private readonly rankings = new Recent<Promise<QueryScore[]>>(CACHE_SIZE);

  constructor(
    private readonly store: Store,
    private readonly datasets: DatasetCache,
    /** The run, or a ConfigError naming the unknown id. */
    private readonly getRun: (id: number) => Run,
  ) {}

  histograms(runId: number): SimilarityHistogram[] {
    this.getRun(runId);
    return this.store.histograms.list([runId]);
  }

  embeddingEpochs(runId: number): EmbeddingEpoch[] {
    this.getRun(runId);
    return this.store.embeddings.epochs(runId, 'test');
  }

  async embedding(runId: number, epoch?: number): Promise<EmbeddingSnapshot> {
    const run = this.getRun(runId);
    const epochs = this.store.embeddings.epochs(runId, 'test');
    if (epochs.length === 0) throw new ConfigError(`run ${runId} has no embedding yet`);
    const at =
      epoch === undefined
        ? epochs[epochs.length - 1]!
        : epochs.findLast((e) => Math.abs(e.epoch - epoch) < 1e-9);
    if (!at) {
      throw new ConfigError(
        `run ${runId} has no embedding at epoch ${epoch} (it has epochs ${epochs.map((e) => e.epoch).join(', ')})`,
      );
    }
    const stored = this.store.embeddings.get(runId, 'test', at.step)!;
    const key = `${runId}/${run.createdAt}/${at.step}`;
    let pca = this.pcas.get(key);
    if (!pca) {
      pca = pca2d(asRows(stored)).points;
      this.pcas.set(key, pca);
    }
    // The map still shows without the dataset (moved or deleted folder): unlabelled.
    const dataset = await this.dataset(run).catch(() => null);
    const labels = dataset?.test.labels;
    return {
      runId,
      step: stored.step,
      epoch: stored.epoch,
      indices: Array.from(stored.indices),
      labels: Array.from(stored.indices, (i) => labels?.[i] ?? -1),
      classNames: dataset?.classNames ?? [],
      dim: stored.dim,
      features: float32ToBase64(stored.features),
      pca,
    };
  }

  async retrieval(runId: number, queryIndex: number, k = 10): Promise<RetrievalResult> {
    const { run, train, test } = this.retrievalSet(runId);
    const row = test.indices.indexOf(queryIndex);
    if (row < 0) {
      throw new ConfigError(
        `query ${queryIndex} is out of range: run ${runId}'s test embedding has images 0–${test.indices.length - 1}`,
      );
    }
    const dataset = await this.dataset(run);
    const trainLabels = evalTrainSplit(dataset).labels;
    const queryLabel = dataset.test.labels?.[queryIndex] ?? -1;
    const neighbours = nearestNeighbours(asRows(test), row, asRows(train), k).map((n) => {
      const index = train.indices[n.row]!;
      const label = trainLabels?.[index] ?? -1;
      return { index, label, similarity: n.similarity, match: label >= 0 && label === queryLabel };
    });
    return {
      runId,
      epoch: train.epoch,
      query: { index: queryIndex, label: queryLabel },
      neighbours,
      precision: precisionAtK(
        queryLabel,
        neighbours.map((n) => n.label),
      ),
    };
  }

  async worstQueries(runId: number, k = 10, count = 12): Promise<RetrievalRanking> {
    const { run, train, test } = this.retrievalSet(runId);
    const dataset = await this.dataset(run);
    // Scoring every test query against every training image is the costly part (2000 × 10000 dot
    // products at the caps): once per run, evaluation and k.
    const key = `${runId}/${run.createdAt}/${train.step}/${k}`;
    let scores = this.rankings.get(key);
    if (!scores) {
      scores = this.scoreAll(test, train, dataset, k);
      this.rankings.set(key, scores);
      scores.catch(() => this.rankings.delete(key));
    }
    const testLabels = dataset.test.labels;
    return {
      runId,
      epoch: train.epoch,
      k,
      queries: worstQueries(await scores, count).map((s) => {
        const index = test.indices[s.row]!;
        return { index, label: testLabels?.[index] ?? -1, precision: s.precision };
      }),
    };
  }

  /** Pixels of images of the run's dataset (the same subset and seed the run trained on). */
  async images(runId: number, refs: ImageRef[]): Promise<ImageTile[]> {
    const run = this.getRun(runId);
    const dataset = await this.dataset(run);
    return refs.map((ref) => {
      // Embeddings of the 'train' split index the labelled images kNN fits on (evalTrainSplit).
      const split = ref.split === 'train' ? evalTrainSplit(dataset) : dataset.test;
      if (!Number.isInteger(ref.index) || ref.index < 0 || ref.index >= split.count) {
        throw new ConfigError(
          `image ${ref.index} is out of range: run ${runId}'s ${ref.split} split has ${split.count} images`,
        );
      }
      return tileFromSplit(split, ref.index, dataset);
    });
  }

  /** The latest training embedding and the test embedding of the same evaluation. */
  private retrievalSet(runId: number) {
    const run = this.getRun(runId);
    const train = this.store.embeddings.get(runId, 'train');
    if (!train) throw new ConfigError(`run ${runId} has no training embedding yet (retrieval needs one)`);
    const test = this.store.embeddings.get(runId, 'test', train.step);
    if (!test) throw new ConfigError(`run ${runId} has no test embedding at step ${train.step}`);
    if (test.dim !== train.dim) {
      throw new ConfigError(`run ${runId}'s train and test embeddings differ in dimension`);
    }
    return { run, train, test };
  }

  private async scoreAll(
    test: StoredEmbedding,
    train: StoredEmbedding,
    dataset: Dataset,
    k: number,
  ): Promise<QueryScore[]> {
    const queryLabels = Array.from(test.indices, (i) => dataset.test.labels?.[i] ?? -1);
    const keyLabels = Array.from(train.indices, (i) => evalTrainSplit(dataset).labels?.[i] ?? -1);
    const queries = asRows(test);
    const keys = asRows(train);
    const scores: QueryScore[] = [];
    for (let start = 0; start < queries.count; start += QUERIES_PER_SLICE) {
      const count = Math.min(QUERIES_PER_SLICE, queries.count - start);
      const slice = rows(
        test.features.subarray(start * test.dim, (start + count) * test.dim),
        count,
        test.dim,
      );
      for (const s of scoreQueries(slice, queryLabels.slice(start, start + count), keys, keyLabels, k)) {
        scores.push({ ...s, row: s.row + start });
      }
      await yieldToEventLoop();
    }
    return scores;
  }

  private dataset(run: Run): Promise<Dataset> {
    const seed = typeof run.config.seed === 'number' ? run.config.seed : undefined;
    // The worker loads { ...run.dataset, seed: config.seed }: the synthetic images depend on the seed.
    return this.datasets.load({ ...run.dataset, seed });
  }
}
