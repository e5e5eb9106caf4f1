/**
 * `node bench/origin.ts PORT`: the origin behind the gate and the pass-through over HTTP (bench/cases.ts `gate`,
 * `gate-passthrough`): a loopback node:http server answering every path with the bench routes' JSON.
 */
import { createServer } from 'node:http';

const BODY = JSON.stringify({
  id: 'bench-user-0001',
  email: 'bench@example.test',
  name: 'Bench User',
  image: 'https://example.test/avatar/bench.png',
});
const port = Number(process.argv[2]);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(BODY));
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`origin on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
