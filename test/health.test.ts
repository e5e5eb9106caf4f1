import { exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('GET /health answers 200 without a session', async () => {
  const res = await exports.default.fetch('https://api.example.test/health');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
});

it('an unknown route answers 404 not_found as JSON', async () => {
  const res = await exports.default.fetch('https://api.example.test/nope');
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope' } });
});
