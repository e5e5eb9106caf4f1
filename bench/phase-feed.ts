/**
 * The revocation feed's cost (issue 15), on the main bench Worker's Miniflare server (the feed
 * bound as in production): each round, N polls of the real Durable Object through the binding
 * from the isolate (GET /__bench/feed, bench/worker-feed.ts), timed inside, with the CPU time the
 * server's processes (workerd: the calling isolate, the Durable Object and the RPC between them)
 * spent on them read from /proc; and the Durable Object's own time and rows read per call. Then
 * multiplied out to one isolate polling every REVOCATION_POLL seconds for a minute.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { getJson } from './servers.ts';

/** Polls per round: the steady state (nothing new), and a full page. */
export const FEED_POLLS = { steady: 2000, page: 200 } as const;

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, ms) of every process in the process group `pgid`, from /proc. */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp … utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

interface PollTiming {
  n: number;
  usPerPoll: number;
  p99Ms: number;
  answerBytes: number;
  pollSeconds: number;
  entries?: number;
}
interface SideTiming {
  n: number;
  usPerCall: number;
  rowsReadPerCall: number;
  entriesPerCall: number;
}

export interface FeedSample {
  steady: PollTiming & { cpuUsPerPoll: number };
  page: PollTiming & { cpuUsPerPoll: number };
  side: { steady: SideTiming; page: SideTiming };
  /** CPU the server's processes spent idle, per second (subtracted above). */
  idleCpuMsPerSecond: number;
}

/** One call's CPU time on the server (less what it spends idle over the same wall time). */
async function withCpu<T>(group: number, idlePerMs: number, call: () => Promise<T>) {
  const cpu0 = groupCpuMs(group);
  const t0 = performance.now();
  const result = await call();
  const wallMs = performance.now() - t0;
  return { result, cpuMs: Math.max(0, groupCpuMs(group) - cpu0 - idlePerMs * wallMs) };
}

export function feedPhase(base: string, group: number) {
  const samples: FeedSample[] = [];
  return {
    samples,
    async round() {
      // First, as it fills the bench-only feed's page (once) outside the CPU readings.
      const side = await getJson<FeedSample['side']>(`${base}/__bench/feed?what=side&n=${FEED_POLLS.steady}`);
      const idle0 = groupCpuMs(group);
      await sleep(1000);
      const idlePerMs = (groupCpuMs(group) - idle0) / 1000;
      const steady = await withCpu(group, idlePerMs, () =>
        getJson<PollTiming>(`${base}/__bench/feed?what=steady&n=${FEED_POLLS.steady}`),
      );
      const page = await withCpu(group, idlePerMs, () =>
        getJson<PollTiming>(`${base}/__bench/feed?what=page&n=${FEED_POLLS.page}`),
      );
      samples.push({
        steady: { ...steady.result, cpuUsPerPoll: (steady.cpuMs * 1000) / steady.result.n },
        page: { ...page.result, cpuUsPerPoll: (page.cpuMs * 1000) / page.result.n },
        side: { steady: side.steady, page: side.page },
        idleCpuMsPerSecond: idlePerMs * 1000,
      });
    },
  };
}
