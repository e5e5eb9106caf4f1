/**
 * The revocation feed's cost, on the main bench Worker's Miniflare server (the feed bound as in
 * production): each round, N polls of the real Durable Object through the binding from the isolate
 * (GET /__bench/feed, bench/workers/feed.ts), timed inside, with the CPU time the server's
 * processes (the calling isolate, the Durable Object, the RPC between them) spent on them read
 * from /proc, and the Durable Object's own time and rows read per call; multiplied out to one
 * isolate polling every REVOCATION_POLL for a minute.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { getJson } from '../servers.ts';
import { round, roundedStats } from '../stats.ts';

/** Polls per round: the steady state (nothing new), and a full page. */
const POLLS = { steady: 2000, page: 200 } as const;
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system, ms) of every process in the process group `pgid`, from /proc. */
function groupCpuMs(pgid: number): number {
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
    if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
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
  usPerCall: number;
  rowsReadPerCall: number;
}
type Poll = PollTiming & { cpuUsPerPoll: number; side: SideTiming };
type Sample = Record<'steady' | 'page', Poll> & { idleCpuMsPerSecond: number };

export function feedPhase(base: string, group: number) {
  const samples: Sample[] = [];
  return {
    async round() {
      // First, as it fills the bench-only feed's page (once) outside the CPU readings.
      const side = await getJson<Record<'steady' | 'page', SideTiming>>(
        `${base}/__bench/feed?what=side&n=${POLLS.steady}`,
      );
      const idle0 = groupCpuMs(group);
      await sleep(1000);
      const idlePerMs = (groupCpuMs(group) - idle0) / 1000;
      /** The polls' figures, with the server's CPU time for them (less what it spends idle meanwhile). */
      const polls = async (what: 'steady' | 'page'): Promise<Poll> => {
        const cpu0 = groupCpuMs(group);
        const t0 = performance.now();
        const timing = await getJson<PollTiming>(`${base}/__bench/feed?what=${what}&n=${POLLS[what]}`);
        const cpuMs = Math.max(0, groupCpuMs(group) - cpu0 - idlePerMs * (performance.now() - t0));
        return { ...timing, cpuUsPerPoll: (cpuMs * 1000) / timing.n, side: side[what] };
      };
      samples.push({ steady: await polls('steady'), page: await polls('page'), idleCpuMsPerSecond: idlePerMs * 1000 });
    },

    /** Per poll (isolate wall, server CPU, the Durable Object's side), and one isolate's minute. */
    summary() {
      const first = samples[0];
      if (!first) return undefined;
      const of = (what: 'steady' | 'page') => {
        const pick = (f: (p: Poll) => number, digits = 1) =>
          roundedStats(
            samples.map((s) => f(s[what])),
            digits,
          );
        return {
          usPerPoll: pick((p) => p.usPerPoll),
          cpuUsPerPoll: pick((p) => p.cpuUsPerPoll),
          p99Ms: pick((p) => p.p99Ms, 2),
          answerBytes: first[what].answerBytes,
          entries: first[what].entries ?? 0,
          doUsPerCall: pick((p) => p.side.usPerCall, 2),
          doRowsReadPerCall: pick((p) => p.side.rowsReadPerCall),
          polls: first[what].n,
        };
      };
      const steady = of('steady');
      const pollSeconds = first.steady.pollSeconds;
      const polls = Math.round(60 / pollSeconds);
      const perMinute = (perPoll: number, digits = 2) => round((polls * perPoll) / 1000, digits);
      return {
        pollSeconds,
        idleCpuMsPerSecond: roundedStats(
          samples.map((s) => s.idleCpuMsPerSecond),
          2,
        ),
        steady,
        page: of('page'),
        /** One isolate polling every REVOCATION_POLL for a minute, in the steady state (nothing new). */
        perIsolatePerMinute: {
          polls,
          wallMs: perMinute(steady.usPerPoll.median),
          cpuMs: perMinute(steady.cpuUsPerPoll.median),
          doRequests: polls,
          doRowsRead: round(polls * steady.doRowsReadPerCall.median, 1),
          doMs: perMinute(steady.doUsPerCall.median, 3),
        },
      };
    },
  };
}
