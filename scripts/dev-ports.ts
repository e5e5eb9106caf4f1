/**
 * `npm run dev` checks its ports before it starts anything: a busy one is named, with the flag
 * that moves it (and a free port to move it to), and nothing is left running.
 */
import { createServer } from 'node:net';
import { type DevOptions, PORTS } from './dev-options.ts';

/** Whether a server could listen on `port` of 127.0.0.1 now (where npm run dev's servers listen). */
export function canListen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** One line per busy port, naming what would listen there and how to move it; empty when all are free. */
export async function busyPortLines(options: DevOptions): Promise<string[]> {
  const chosen = new Set(Object.values(options.ports));
  const lines: string[] = [];
  for (const spec of PORTS) {
    const port = options.ports[spec.role];
    if (await canListen(port)) continue;
    let free: number | undefined;
    for (let candidate = port + 10; candidate < Math.min(port + 200, 65536) && free === undefined; candidate++) {
      if (!chosen.has(candidate) && (await canListen(candidate))) free = candidate;
    }
    const to = String(free ?? 'PORT');
    chosen.add(free ?? 0);
    lines.push(
      `Port ${port} is in use, so ${spec.label} cannot start there: stop what listens on it, or move it with \`npm run dev -- ${spec.flag} ${to}\` (or ${spec.envName}=${to}).`,
    );
  }
  return lines;
}
