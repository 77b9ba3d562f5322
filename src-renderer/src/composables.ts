import { computed, onBeforeUnmount, reactive, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { imageSizeRange, type DatasetId, type DatasetSpec } from '../../src-main/domain';
import { useMethodsStore } from './stores/methods';

/** The current time in ms, updated every `everyMs` while the component lives. */
export function useNow(everyMs = 1000) {
  const now = ref(Date.now());
  const timer = setInterval(() => (now.value = Date.now()), everyMs);
  onBeforeUnmount(() => clearInterval(timer));
  return now;
}

/** Seconds since the run started, to the end (or now). */
export function runDuration(
  run: { startedAt: string | null; endedAt: string | null },
  nowMs: number,
): number | null {
  if (!run.startedAt) return null;
  const end = run.endedAt ? Date.parse(run.endedAt) : nowMs;
  return Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
}

/**
 * The dataset part of the run and grid forms: which dataset, its folder, the subset sizes, the image
 * size, and their validation. DatasetFields.vue edits it in place; `spec()` is what the engine takes.
 */
export function useDatasetForm() {
  const { t } = useI18n();
  const methodsStore = useMethodsStore();
  const datasetId = ref<DatasetId>('synthetic');
  const dataDir = ref('');
  const trainSize = ref('');
  const testSize = ref('');
  /** The side to train at (empty: the dataset's own). */
  const imageSize = ref('');

  const dataset = computed(() => methodsStore.datasets.find((d) => d.id === datasetId.value));
  const dataDirError = computed(() =>
    dataset.value?.needsDataDir && !dataDir.value.trim() ? t('errors.dataDir') : null,
  );
  const sizeError = (text: string) =>
    text.trim() === '' || /^[1-9]\d*$/.test(text.trim()) ? null : t('errors.subset');
  const trainSizeError = computed(() => sizeError(trainSize.value));
  const testSizeError = computed(() => sizeError(testSize.value));
  const imageSizeError = computed(() => {
    const text = imageSize.value.trim();
    const n = Number(text);
    return text === '' || (/^\d+$/.test(text) && n >= imageSizeRange.min && n <= imageSizeRange.max)
      ? null
      : t('errors.imageSize', imageSizeRange);
  });
  const invalidCount = computed(
    () =>
      [dataDirError.value, trainSizeError.value, testSizeError.value, imageSizeError.value].filter(Boolean)
        .length,
  );

  /** The dataset as CreateRunInput and CreateGridInput take it: the folder and sizes only where they apply. */
  function spec(): DatasetSpec {
    const out: DatasetSpec = { id: datasetId.value };
    if (dataset.value?.needsDataDir) out.dataDir = dataDir.value.trim();
    if (trainSize.value.trim()) out.trainSize = Number(trainSize.value);
    if (testSize.value.trim()) out.testSize = Number(testSize.value);
    if (imageSize.value.trim()) out.imageSize = Number(imageSize.value);
    return out;
  }

  return reactive({
    datasetId,
    dataDir,
    trainSize,
    testSize,
    imageSize,
    dataset,
    dataDirError,
    trainSizeError,
    testSizeError,
    imageSizeError,
    invalidCount,
    spec,
  });
}

export type DatasetForm = ReturnType<typeof useDatasetForm>;
