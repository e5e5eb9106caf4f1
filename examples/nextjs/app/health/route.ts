// Liveness for process managers (and the e2e test's start-up wait); no session involved.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ ok: true });
}
