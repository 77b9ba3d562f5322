import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  DatasetDetails,
  DatasetEntry,
  DatasetJob,
  DatasetSamples,
  DatasetSpec,
  DeletedDatasetCache,
} from '../../../src-main/domain';
import { useApi } from '../api';

/** Sample images asked for per class. */
const SAMPLES_PER_CLASS = 10;
/** How often the dataset jobs are asked for while one is at work. */
const POLL_MS = 600;

const isActive = (j: DatasetJob) => j.status === 'queued' || j.status === 'running';

/**
 * The Datasets view's state: the datasets added or used (also the run form's list), what was read of
 * each (details and samples, by key), and the dataset jobs, polled while one is at work (they have no
 * events of their own).
 */
export const useDatasetsStore = defineStore('datasets', () => {
  const api = useApi();
  const entries = ref<DatasetEntry[]>([]);
  const loaded = ref(false);
  const details = ref<Record<string, DatasetDetails>>({});
  const samples = ref<Record<string, DatasetSamples>>({});
  const jobs = ref<DatasetJob[]>([]);
  /** A dataset the Datasets view hands to the run form ("Use in a new run"); the form takes it once. */
  const forNewRun = ref<DatasetSpec | null>(null);
  let polling: Promise<void> | null = null;
  /** Called with each job that has just ended. */
  const endedListeners = new Set<(job: DatasetJob) => void>();

  async function load(): Promise<DatasetEntry[]> {
    entries.value = await api.listDatasetEntries();
    loaded.value = true;
    return entries.value;
  }

  /** Loads the list once (the run form asks for it); a failure leaves it empty. */
  async function ensureLoaded(): Promise<void> {
    if (!loaded.value) await load().catch(() => undefined);
  }

  async function add(spec: DatasetSpec, name?: string): Promise<DatasetEntry> {
    const entry = await api.addDataset(name ? { spec, name } : { spec });
    await load();
    return entry;
  }

  async function remove(entryId: number): Promise<void> {
    await api.removeDataset({ entryId });
    await load();
  }

  async function describe(spec: DatasetSpec, key: string, refresh = false): Promise<DatasetDetails> {
    const d = await api.describeDataset(refresh ? { spec, refresh } : { spec });
    details.value = { ...details.value, [key]: d };
    if (d.job) watchJobs();
    return d;
  }

  async function loadSamples(
    spec: DatasetSpec,
    key: string,
    perClass = SAMPLES_PER_CLASS,
  ): Promise<DatasetSamples> {
    const s = await api.datasetSamples({ spec, perClass });
    samples.value = { ...samples.value, [key]: s };
    return s;
  }

  async function build(spec: DatasetSpec, rebuild = false): Promise<DatasetJob> {
    const job = await api.buildDatasetCache(rebuild ? { spec, rebuild } : { spec });
    jobs.value = [job, ...jobs.value.filter((j) => j.id !== job.id)];
    watchJobs();
    return job;
  }

  async function deleteCache(
    spec: DatasetSpec,
    only: { file?: string; imageSize?: number } = {},
  ): Promise<DeletedDatasetCache> {
    const deleted = await api.deleteDatasetCache({ spec, ...only });
    await load();
    return deleted;
  }

  /** The job of a dataset still at work, if any. */
  function activeJob(key: string): DatasetJob | undefined {
    return jobs.value.find((j) => j.key === key && isActive(j));
  }

  /** Polls the jobs until none is at work, telling the listeners of each that ends. */
  function watchJobs(): void {
    polling ??= (async () => {
      try {
        for (;;) {
          const before = new Map(jobs.value.map((j) => [j.id, j]));
          jobs.value = await api.listDatasetJobs();
          for (const j of jobs.value) {
            const was = before.get(j.id);
            if (was && isActive(was) && !isActive(j)) for (const l of endedListeners) l(j);
          }
          if (!jobs.value.some(isActive)) return;
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      } catch {
        // The connection dropped: the next request starts polling again.
      } finally {
        polling = null;
      }
    })();
  }

  function onJobEnded(listener: (job: DatasetJob) => void): () => void {
    endedListeners.add(listener);
    return () => endedListeners.delete(listener);
  }

  return {
    samplesPerClass: SAMPLES_PER_CLASS,
    entries,
    loaded,
    details,
    samples,
    jobs,
    forNewRun,
    load,
    ensureLoaded,
    add,
    remove,
    describe,
    loadSamples,
    build,
    deleteCache,
    activeJob,
    watchJobs,
    onJobEnded,
  };
});
