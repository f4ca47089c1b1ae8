/**
 * What the CLI may touch of the outside world, passed in by main.ts (and by the tests): output lines,
 * the environment, files, standard input and, for `serve`, the server itself. The CLI has no side
 * effects of its own.
 */
import type { Config } from '../config/schema.js';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  env: Record<string, string | undefined>;
  readFile(path: string): string;
  /** Reads all of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
  /** Runs the server (main.ts supplies it; the CLI itself has no side effects). */
  serve?(config: Config): Promise<void>;
}
