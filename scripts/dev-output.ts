/**
 * What `npm run dev` shows of wrangler's output. Until the API answers, wrangler's lines are kept
 * (its banner and binding table stay out of the summary) and printed only if the start fails;
 * after that they flow through (request lines, the Worker's logs, reloads, errors). Offline, the
 * lines wrangler and Miniflare log about the Cloudflare endpoints they cannot reach
 * (`getaddrinfo ENOTFOUND workers.cloudflare.com` and its stack) are dropped: they are not failures.
 */
import type { Readable } from 'node:stream';

const OFFLINE_NOISE = [
  /getaddrinfo (ENOTFOUND|EAI_AGAIN)/,
  /Unable to fetch the `Request\.cf` object/,
  /^\s+at .*(GetAddrInfoReqWrap|node:dns)/,
];

export function isOfflineNoise(line: string): boolean {
  return OFFLINE_NOISE.some((re) => re.test(line));
}

export interface OutputRelay {
  /** Start printing lines as they come (once the API answers). */
  flow(): void;
  /** The lines kept so far (the start failed). */
  kept(): string;
}

/** Reads a child's stdout and stderr line by line; `write` prints one line. */
export function relayOutput(streams: Array<Readable | null>, write: (line: string) => void): OutputRelay {
  const kept: string[] = [];
  let flowing = false;
  const take = (line: string) => {
    if (isOfflineNoise(line)) return;
    if (flowing) write(line);
    else if (kept.push(line) > 400) kept.shift();
  };
  for (const stream of streams) {
    if (!stream) continue;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) take(line);
    });
    stream.on('end', () => {
      if (partial) take(partial);
      partial = '';
    });
  }
  return {
    flow() {
      flowing = true;
    },
    kept: () => kept.join('\n'),
  };
}
