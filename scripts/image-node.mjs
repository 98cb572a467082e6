// The Node.js the Docker image runs (the major of the Dockerfile's `FROM node:<major>-...`), for
// running tests on it whatever Node runs them here. The binary comes from the npm registry
// package `node-<platform>-<arch>@<major>` (the official build, as a package), unpacked into
// .cache/image-node/<major>/ once.
// Usage as a script: node scripts/image-node.mjs → prints the binary's path.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Node major of every stage of the Dockerfile; throws when they differ or none is found. */
export function imageNodeMajor() {
  const majors = [...readFileSync(join(root, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+node:(\d+)\b/gim)].map((m) => m[1]);
  if (majors.length === 0 || new Set(majors).size !== 1) throw new Error(`Dockerfile: expected one node:<major> base image in every stage, found ${majors.join(', ') || 'none'}`);
  return majors[0];
}

/** Path of the image's Node binary, fetched on first use. */
export function imageNode() {
  const major = imageNodeMajor();
  const dir = join(root, '.cache', 'image-node', major);
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary)) return binary;
  const pkg = `node-${process.platform}-${process.arch}@${major}`;
  process.stdout.write(`fetching Node ${major} (${pkg}) into ${dir}\n`);
  const scratch = mkdtempSync(join(tmpdir(), 'pacs-image-node-'));
  try {
    execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', scratch], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${pkg} produced no tarball`);
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['xzf', join(scratch, tarball), '-C', dir, '--strip-components=1', 'package/bin/node']);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${imageNode()}\n`);
