import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiCommandNames, type ContrastLabApi } from '../../src-main/api/commands';
import { ApiError } from '../../src-main/domain';

import { dispatch, invoke } from '../../src-main/api/dispatch';
import { Engine } from '../../src-main/engine/engine';
import { DatasetError } from '../../src-main/domain';

let engine: Engine;
let api: ContrastLabApi;
beforeAll(() => {
  engine = new Engine(':memory:');
  api = engine.api;
});
afterAll(() => engine.close());

describe('dispatcher', () => {
  it('implements every command of the contract', () => {
    for (const c of apiCommandNames) expect(typeof api[c]).toBe('function');
    expect(typeof api.onEvent).toBe('function');
  });

  it('routes names to methods, taking JSON null for an omitted optional argument', async () => {
    expect(await dispatch(api, 'listRuns', [])).toEqual([]);
    expect(await dispatch(api, 'listDatasets', [])).toContainEqual(
      expect.objectContaining({ id: 'cifar10', needsDataDir: true }),
    );
    expect(await dispatch(api, 'getMetrics', [[1], null])).toEqual([]);
    expect(await dispatch(api, 'exportCsv', ['runs', null])).toMatch(/^run_id,name,method,status/);
    expect(await dispatch(api, 'exportCsv', ['runs'])).toMatch(/^run_id/);
  });

  it('refuses unknown commands (404) and malformed arguments (400) before the engine sees them', async () => {
    await expect(dispatch(api, 'onEvent', [])).rejects.toMatchObject({ status: 404 });
    await expect(dispatch(api, '__proto__', [])).rejects.toBeInstanceOf(ApiError);
    await expect(dispatch(api, 'getRun', [])).rejects.toThrow(/getRun takes id/);
    await expect(dispatch(api, 'getRun', [1.5])).rejects.toThrow(/getRun: invalid id/);
    await expect(dispatch(api, 'exportCsv', ['weights'])).rejects.toThrow(/exportCsv: invalid what/);
    await expect(dispatch(api, 'updateRun', [1, { owner: 'x' }])).rejects.toThrow(
      /unknown field\(s\) owner in patch/,
    );
    await expect(
      dispatch(api, 'createRun', [
        { method: 'simclr', dataset: { id: 'synthetic', trainSize: -1 }, config: {} },
      ]),
    ).rejects.toThrow(/createRun: invalid input.dataset.trainSize/);
    await expect(dispatch(api, 'listRuns', 'x' as unknown as unknown[])).rejects.toMatchObject({
      status: 400,
    });
  });

  it('turns engine errors into { error } with their message, and bugs into 500', async () => {
    expect(
      await invoke(api, 'createRun', [{ method: 'simclr', dataset: { id: 'cifar10' }, config: {} }]),
    ).toEqual({
      error: 'dataset cifar10 needs a data directory (--data-dir DIR)',
      status: 400,
    });
    expect(await invoke(api, 'updateRun', [42, { name: 'x' }])).toEqual({
      error: 'no run with id 42',
      status: 400,
    });
    const broken = { ...api, listRuns: () => Promise.reject(new TypeError('oops')) };
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await invoke(broken, 'listRuns', [])).toEqual({ error: 'oops', status: 500 });
    quiet.mockRestore();
    const failing = { ...api, listRuns: () => Promise.reject(new DatasetError('no such folder')) };
    expect(await invoke(failing, 'listRuns', [])).toEqual({ error: 'no such folder', status: 400 });
    expect(await invoke(api, 'listRuns', [])).toEqual({ result: [] });
  });
});
