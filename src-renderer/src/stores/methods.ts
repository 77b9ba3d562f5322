import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { methodFamilies, type DatasetInfo, type MethodInfo } from '../../../src-main/domain';
import { useApi } from '../api';
import { declareMethodMetrics } from '../lib/metrics';

/** The method cards are grouped by family, in the domain's order. */
const familyOrder: readonly string[] = methodFamilies;

export interface Family {
  id: string;
  methods: MethodInfo[];
}

/** The methods and datasets the engine offers; loaded once. */
export const useMethodsStore = defineStore('methods', () => {
  const api = useApi();
  const methods = ref<MethodInfo[]>([]);
  const datasets = ref<DatasetInfo[]>([]);
  const loaded = ref(false);

  async function load(): Promise<void> {
    const [m, d] = await Promise.all([api.listMethods(), api.listDatasets()]);
    methods.value = m;
    declareMethodMetrics(m);
    datasets.value = d;
    loaded.value = true;
  }

  /**
   * Methods grouped by family, families in the order the field developed them (unknown ones after, as
   * the engine lists them), methods by paper year within a family.
   */
  const families = computed<Family[]>(() => {
    const out: Family[] = [];
    for (const m of methods.value) {
      let f = out.find((x) => x.id === m.family);
      if (!f) out.push((f = { id: m.family, methods: [] }));
      f.methods.push(m);
    }
    for (const f of out)
      f.methods.sort((a, b) => a.paper.year - b.paper.year || a.title.localeCompare(b.title));
    const rank = (id: string) => {
      const i = familyOrder.indexOf(id);
      return i < 0 ? familyOrder.length : i;
    };
    return out
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f.id) - rank(b.f.id) || a.i - b.i)
      .map(({ f }) => f);
  });

  const byId = (id: string) => methods.value.find((m) => m.id === id);

  return { methods, datasets, loaded, load, families, byId };
});
