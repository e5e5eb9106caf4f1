/** The runner's arithmetic: medians with their spread, percentiles, rounding, and the rotation that interleaves cases round-robin. */

export interface Stats {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export const round = (x: number, digits = 1) => Number(x.toFixed(digits));

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return { median, min: at(0), max: at(sorted.length - 1), samples };
}

/** Stats of `samples`, every figure rounded to `digits`. */
export function roundedStats(samples: number[], digits = 1): Stats {
  const s = stats(samples);
  const r = (x: number) => round(x, digits);
  return { median: r(s.median), min: r(s.min), max: r(s.max), samples: samples.map(r) };
}

/** Stats of `f` over `list`, every figure rounded to `digits`. */
export const statsOf = <T>(list: readonly T[], f: (x: T, i: number) => number, digits = 1) =>
  roundedStats(list.map(f), digits);

/** The p-th percentile of an ascending list (nearest rank). */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

/** Rotates a list by `by`: round r starts with a different case, so no case always runs first or last. */
export const rotate = <T>(list: readonly T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length] as T);

/** `median (min–max)`, for the report. */
export const fmt = (s: Stats | undefined, digits = 1) =>
  s ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : '–';
