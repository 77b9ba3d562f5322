import type { CsvExport } from '../../src-main/api/commands';
import { useApi } from './api';
import { i18n } from './i18n';
import { today } from './lib/format';
import { useUiStore } from './stores/ui';

/**
 * Exports CSV the same way in both transports: the engine writes it (never downsampled), the host saves
 * it (a save dialog in Electron, a download in the browser).
 */
export async function exportCsv(what: CsvExport, runIds: number[]): Promise<void> {
  const api = useApi();
  const ui = useUiStore();
  const name = `contrastlab-${what}-${runIds.length <= 4 ? runIds.join('-') : `${runIds.length}-runs`}-${today()}.csv`;
  try {
    const csv = await api.exportCsv(what, runIds);
    if (await api.saveFile(name, csv)) ui.toast(i18n.global.t('runs.exported', { name }));
  } catch (e) {
    ui.toast((e as Error).message, true);
  }
}
