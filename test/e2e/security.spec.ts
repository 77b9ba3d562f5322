import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { appUrl, origin, token } from './helpers';

/** Browser mode listens on 127.0.0.1 and refuses whoever lacks the token the server printed. */

test('an API request without the token is refused', async ({ request }) => {
  const without = await request.post(`${origin()}/api/listRuns`, { data: { args: [] } });
  expect(without.status()).toBe(401);
  expect(((await without.json()) as { error: string }).error).toMatch(/token/);

  const wrong = await request.post(`${origin()}/api/listRuns`, {
    data: { args: [] },
    headers: { 'x-contrastlab-token': 'f'.repeat(64) },
  });
  expect(wrong.status()).toBe(401);

  const right = await request.post(`${origin()}/api/listRuns`, {
    data: { args: [] },
    headers: { 'x-contrastlab-token': token() },
  });
  expect(right.status()).toBe(200);
  expect(Array.isArray(((await right.json()) as { result: unknown }).result)).toBe(true);

  const csv = await request.get(`${origin()}/api/csv/runs`);
  expect(csv.status()).toBe(401);
  expect(new URL(appUrl()).hostname).toBe('127.0.0.1');
});

test('the page and the event stream need the token too', async ({ page }) => {
  const response = await page.goto(`${origin()}/`);
  expect(response?.status()).toBe(401);

  const status = await new Promise<number | 'open'>((resolve) => {
    const ws = new WebSocket(`${origin().replace('http', 'ws')}/events`);
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
  expect(status).toBe(401);

  const opened = await new Promise<boolean>((resolve) => {
    const ws = new WebSocket(`${origin().replace('http', 'ws')}/events?token=${token()}`);
    ws.on('open', () => {
      ws.close();
      resolve(true);
    });
    ws.on('error', () => resolve(false));
  });
  expect(opened).toBe(true);
});
