import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ToolResult {
  readonly code: number;
  readonly output: string;
}

/**
 * Runs a command-line tool from the repository root and returns its exit code and combined output,
 * so a failing check shows the tool's own explanation in the test failure.
 */
export function runTool(
  command: string,
  args: readonly string[],
  cwd: string = REPO_ROOT,
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code === 'string') {
          reject(new Error(`${command} could not run (${error.code}); CI installs it with .ci/run`));
          return;
        }
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}
