// `npm run chaos [-- --studies N --seed N --kills N]`: the long chaos run (20,000 instances by
// default, kills every 5–15 s, overwrites until 15 kills landed), printing its figures; exits 1
// when anything acknowledged was lost or left behind. docs/robustness.md records a run.
import { runChaos } from './chaos-run';
import { chaosVerdict, formatReport } from './report';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const seed = option('seed', Math.floor(Math.random() * 2 ** 31));
  const studies = option('studies', 100);
  process.stdout.write(`chaos: seed ${seed}, ${studies} studies of 2 × 100 instances\n`);
  const report = await runChaos({
    corpus: { studies, seriesPerStudy: 2, instancesPerSeries: 100, largeEvery: 4 },
    associations: 4,
    killEveryMs: [5_000, 15_000],
    overwrite: { instances: 50, associations: 8, rounds: 20 },
    minKills: option('kills', 15),
    seed,
    log: (line) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
  process.stdout.write(formatReport(report));
  const problems = chaosVerdict(report);
  process.stdout.write(problems.length ? `FAILED:\n${problems.map((p) => `  ${p}`).join('\n')}\n` : 'passed\n');
  process.exitCode = problems.length ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
