// Runs the REAL built `pacs` command line (dist/apps/pacs-cli/src/main.js) with only the given
// environment (and PATH), as an admin would from a shell.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './server';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runPacs(args: string[], env: Record<string, string>): Promise<CliResult> {
  const main = join(repoRoot(), process.env.PACS_TEST_DIST ?? 'dist', 'apps/pacs-cli/src/main.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
