/**
 * The runner's arithmetic: medians with their spread, percentiles, rounding for results.json and
 * the report, and the rotation that interleaves cases round-robin.
 */

export interface Stats {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN, samples };
}

/** The p-th percentile of an ascending list (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Rotates a list by `by`: round r starts with a different case, so no case always runs first or last. */
export const rotate = <T>(list: readonly T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length] as T);

export const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** Stats of `samples`, every figure rounded to `digits`. */
export const roundedStats = (samples: number[], digits = 1): Stats => {
  const s = stats(samples);
  return {
    median: round(s.median, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
    samples: s.samples.map((x) => round(x, digits)),
  };
};

/** `median (min–max)`, for the report and the console. */
export const fmt = (s: Stats | undefined, digits = 1, unit = '') =>
  s ? `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : '–';
