import { exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { API } from './support/worker';

it('GET /health answers 200 without a session', async () => {
  const res = await exports.default.fetch(`${API}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
});

it('an unknown route answers 404 not_found as JSON', async () => {
  const res = await exports.default.fetch(`${API}/nope`);
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope' } });
});
