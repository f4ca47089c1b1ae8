/**
 * What every benchmark module returns: one row per figure, with the SPEC §8 target and the command that
 * reproduces it. `npm run bench` (scripts/bench/index.ts) runs the modules, prints a table and writes
 * the same rows as JSON with `--json`.
 */
export interface BenchResult {
  /** Short stable id, e.g. `login_to_online_p50_ms`. */
  id: string;
  /** Human label for the table. */
  label: string;
  value: number;
  unit: string;
  /** The SPEC §8 target in words, e.g. "≤ 5 ms". */
  target: string;
  /** Whether the value meets the target (null when there is no target). */
  pass: boolean | null;
  /** Command that reproduces this figure alone. */
  command: string;
  /** Anything a reader needs to interpret the figure (sample size, environment). */
  note?: string;
}

export interface BenchModule {
  /** Runs the measurements, bounded in time; throws if the environment cannot support them. */
  run(opts: { quick: boolean }): Promise<BenchResult[]>;
}
