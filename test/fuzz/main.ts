// `npm run fuzz [-- --seed N --count N --only I]`: generated malformed DIMSE and HTTP inputs
// against a fresh server; exits 1 on any violation or unparseable stored file. The seed is
// printed first, so a failing run is replayed exactly.
import { startTestServer } from '../support/server';
import { FUZZ_SERVER_ENV, fuzzTarget } from './fuzz-server';
import { runFuzz } from './fuzz-run';

function option(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : undefined;
}

async function main(): Promise<void> {
  const seed = option('seed') ?? Math.floor(Math.random() * 2 ** 31);
  const count = option('count') ?? 5000;
  const only = option('only');
  process.stdout.write(`fuzz: seed ${seed}, ${only !== undefined ? `input ${only} only` : `${count} inputs`}\n`);
  const server = await startTestServer({ env: FUZZ_SERVER_ENV });
  const started = Date.now();
  try {
    const report = await runFuzz(await fuzzTarget(server), server.dataDir, { seed, count, only, log: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(
      [
        `seed ${report.seed}: ${report.inputs} inputs (${report.dimse} DIMSE, ${report.http} HTTP) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
        `violations: ${report.violations.length}`,
        ...report.violations.map((v) => `  #${v.index} ${v.name}: ${v.violation}`),
        `fuzzed instances acknowledged as stored: ${report.acknowledged}; files in the blob store: ${report.storedFiles}`,
        `unparseable stored files: ${report.unparseable.length}`,
        ...report.unparseable.map((f) => `  ${f}`),
      ].join('\n') + '\n',
    );
    for (const v of report.violations) {
      const id = /"correlationId":"([^"]+)"/.exec(v.violation)?.[1];
      const lines = id ? server.logs().split('\n').filter((l) => l.includes(`"${id}"`) && /"level":50/.test(l)) : [];
      if (lines.length) process.stdout.write(`#${v.index} server log:\n${lines.map((l) => `  ${l.slice(0, 2000)}`).join('\n')}\n`);
    }
    process.exitCode = report.violations.length + report.unparseable.length > 0 ? 1 : 0;
  } finally {
    await server.stop().catch((err: Error) => process.stderr.write(`stopping the server: ${err.message}\n`));
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
