/**
 * The revocation feed's cost (bench/README.md): polls of the real Durable Object from the isolate (bench/workers/feed.ts),
 * the server's CPU for them from /proc, the Durable Object's own time and rows read; one isolate's minute.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { getJson } from '../servers.ts';
import { round, statsOf } from '../stats.ts';

const POLLS = 2000;
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system, ms) of every process in the process group `pgid`, from /proc. */
function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let stat = '';
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp … utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

type Polls = { n: number; usPerPoll: number; p99Ms: number; answerBytes: number; pollSeconds: number };
type Sample = Polls & {
  cpuUsPerPoll: number;
  idleCpuMsPerSecond: number;
  side: { usPerCall: number; rowsReadPerCall: number };
};

export function feedPhase(base: string, group: number) {
  const samples: Sample[] = [];
  return {
    async round() {
      const side = await getJson<Sample['side']>(`${base}/__bench/feed?what=side&n=${POLLS}`);
      const idle0 = groupCpuMs(group);
      await sleep(1000);
      const idlePerMs = (groupCpuMs(group) - idle0) / 1000;
      const cpu0 = groupCpuMs(group);
      const t0 = performance.now();
      const polls = await getJson<Polls>(`${base}/__bench/feed?what=polls&n=${POLLS}`);
      // The server's CPU for the polls, less what it spends idle over the same time.
      const cpuMs = Math.max(0, groupCpuMs(group) - cpu0 - idlePerMs * (performance.now() - t0));
      samples.push({ ...polls, cpuUsPerPoll: (cpuMs * 1000) / polls.n, idleCpuMsPerSecond: idlePerMs * 1000, side });
    },

    /** Per poll (isolate wall, server CPU, the Durable Object's side), and one isolate's minute. */
    summary() {
      const first = samples[0];
      if (!first) return undefined;
      const pick = (f: (s: Sample) => number, digits = 1) => statsOf(samples, f, digits);
      const steady = {
        ...{
          usPerPoll: pick((s) => s.usPerPoll),
          cpuUsPerPoll: pick((s) => s.cpuUsPerPoll),
          p99Ms: pick((s) => s.p99Ms, 2),
        },
        ...{ doUsPerCall: pick((s) => s.side.usPerCall, 2), doRowsReadPerCall: pick((s) => s.side.rowsReadPerCall) },
        ...{ answerBytes: first.answerBytes, polls: first.n },
      };
      const polls = Math.round(60 / first.pollSeconds);
      const perMinute = (perPoll: number, digits = 2) => round((polls * perPoll) / 1000, digits);
      return {
        ...{ pollSeconds: first.pollSeconds, idleCpuMsPerSecond: pick((s) => s.idleCpuMsPerSecond, 2), steady },
        /** One isolate polling every REVOCATION_POLL for a minute, in the steady state (nothing new). */
        perIsolatePerMinute: {
          ...{ polls, wallMs: perMinute(steady.usPerPoll.median), cpuMs: perMinute(steady.cpuUsPerPoll.median) },
          ...{
            doRequests: polls,
            doRowsRead: round(polls * steady.doRowsReadPerCall.median, 1),
            doMs: perMinute(steady.doUsPerCall.median, 3),
          },
        },
      };
    },
  };
}
