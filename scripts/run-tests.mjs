// Runs the compiled tests with Node's test runner: unit specs (*.spec.js), integration specs
// against a real embedded PostgreSQL (*.int-spec.js), end-to-end specs (test/**/*.e2e-spec.js).
// Usage: node scripts/run-tests.mjs [unit|int|e2e|all] [--dist DIR] [--s3] [name filter]
// The S3 pass runs the end-to-end specs of every store/query/retrieve path again with the
// servers storing in a real S3 server (Ceph radosgw, test/support/radosgw.ts), the workers pass
// runs the DICOMweb and Q/R specs with every server as two workers (PACS_WORKERS=2): `--s3` or
// `--workers` runs only that pass, and the whole run (`npm test`) ends with both.
// The integration specs share one embedded PostgreSQL started here, each file with a database of
// its own copied from a migrated template (test/support/test-database.ts).
// Every tier without a filter (`npm test`) also runs the unit tier and the start/stop scenarios on
// the Node of the Docker image first (scripts/image-node.mjs).
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { imageNode } from './image-node.mjs';

const args = process.argv.slice(2);
const distAt = args.indexOf('--dist');
const dist = distAt >= 0 ? args.splice(distAt, 2)[1] : 'dist';
const only = ['--s3', '--workers'].find((flag) => args.includes(flag));
if (only) args.splice(args.indexOf(only), 1);
const tier = ['unit', 'int', 'e2e', 'all'].includes(args[0]) ? args.shift() : 'all';
const filter = args[0];

const suffixes = { unit: ['.spec.js'], int: ['.int-spec.js'], e2e: ['.e2e-spec.js'] };
const wanted = tier === 'all' ? Object.values(suffixes).flat() : suffixes[tier];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (wanted.some((s) => name.endsWith(s))) out.push(path);
  }
  return out;
}

const TEST_ARGS = ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-timeout=300000', '--test-reporter=spec'];
/** The end-to-end specs that go through every path touching blobs, run again on S3. */
const S3_SPECS = ['dimse', 'dicomweb', 'dicomweb-pixels', 'dicomweb-metadata', 'qr', 'delete', 'corrections', 'iocm', 'storage-commitment', 'cli'];
/** The specs that run again with every server as two workers (per-process limits aside). */
const WORKERS_SPECS = ['dicomweb', 'dicomweb-pixels', 'dicomweb-metadata', 'qr', 'delete'];
if (only === '--s3') process.exit(await s3Pass());
if (only === '--workers') process.exit(await workersPass());

const files = ['apps', 'libs', 'test']
  .map((d) => join(dist, d))
  .flatMap((d) => { try { return walk(d); } catch { return []; } })
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no test files found in ${dist} for tier ${tier}`);
  process.exit(1);
}
const imageStatus = tier === 'all' && !filter ? onImageNode() : 0;
const database = files.some((f) => f.endsWith('.int-spec.js')) ? await sharedDatabase() : { env: {}, stop: async () => undefined };
// Not spawnSync: this process must keep reading the shared PostgreSQL's log pipe while the tests run.
const child = spawn(process.execPath, [...TEST_ARGS, ...files], { stdio: 'inherit', env: { ...process.env, TCP_NODELAY: '1', PACS_TEST_DIST: dist, ...database.env } });
const [status] = await once(child, 'exit');
await database.stop();
const wholeRun = tier === 'all' && !filter && status === 0;
const passes = wholeRun ? [await s3Pass(), await workersPass()] : [];
process.exit(status === 0 ? imageStatus || passes.find((s) => s !== 0) || 0 : (status ?? 1));

/** S3_SPECS (filtered) with every test server storing in a bucket of its own on one radosgw. */
async function s3Pass() {
  const support = await import(pathToFileURL(resolve(dist, 'test/support/radosgw.js')).href);
  console.log(`== the S3 pass: end-to-end specs with PACS_STORAGE_BACKEND=s3 on Ceph radosgw ==`);
  const gateway = await support.startRadosgw();
  try {
    const env = { PACS_TEST_S3_ENDPOINT: gateway.endpoint, AWS_ACCESS_KEY_ID: gateway.accessKeyId, AWS_SECRET_ACCESS_KEY: gateway.secretAccessKey };
    return await runSpecs(S3_SPECS, env);
  } finally {
    await gateway.stop();
  }
}

/** WORKERS_SPECS (filtered) with every test server as two workers (test/support/server.ts). */
async function workersPass() {
  console.log('== the workers pass: end-to-end specs with PACS_WORKERS=2 ==');
  return runSpecs(WORKERS_SPECS, { PACS_TEST_WORKERS: '2' });
}

async function runSpecs(names, env) {
  const specs = names.map((name) => join(dist, 'test/e2e', `${name}.e2e-spec.js`)).filter((f) => !filter || f.includes(filter));
  const child = spawn(process.execPath, [...TEST_ARGS, ...specs], { stdio: 'inherit', env: { ...process.env, TCP_NODELAY: '1', PACS_TEST_DIST: dist, ...env } });
  const [status] = await once(child, 'exit');
  return status ?? 1;
}

/** One embedded PostgreSQL for every integration spec of this run (test/support/test-database.ts). */
async function sharedDatabase() {
  const support = await import(pathToFileURL(resolve(dist, 'test/support/test-database.js')).href);
  const cluster = await support.startTestCluster();
  return { env: { [support.SHARED_CLUSTER_ENV]: cluster.url }, stop: () => cluster.stop() };
}

/**
 * The whole run (`npm test`) first runs the unit tier and the start/stop scenarios on the Node
 * the Docker image runs, when that is another major than the one running here.
 */
function onImageNode() {
  const node = imageNode();
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (version.split('.')[0] === process.version.split('.')[0]) return 0;
  console.log(`== unit tier and service start/stop on the Docker image's Node ${version} ==`);
  const statuses = [['unit'], ['e2e', 'service-stop']].map(
    (args) => spawnSync(node, [fileURLToPath(import.meta.url), '--dist', dist, ...args], { stdio: 'inherit' }).status ?? 1,
  );
  const status = statuses.find((s) => s !== 0) ?? 0;
  console.log(`== on the Docker image's Node ${version}: ${status === 0 ? 'passed' : 'FAILED'}; now every tier on ${process.version} ==`);
  return status;
}
