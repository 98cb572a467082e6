#!/usr/bin/env node
// First: V8 flags are set before anything else runs (gc-tuning.ts).
import './gc-tuning';
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, InvalidArgumentError } from 'commander';
import { AuditAction, AuditEventType, AuditService } from '@pacs/audit';
import { UsersService } from '@pacs/auth';
import { loadConfig } from '@pacs/config';
import { startDatabase } from '@pacs/database';
import { IngestService, RetrieveService, StorageVerifier } from '@pacs/index';
import { BlobStore, FilesystemBlobStore, openBucket } from '@pacs/storage';
import { CliModule } from './cli.module';
import { copyToS3 } from './copy-to-s3';
import { exportStudies } from './export-media';
import { importFolder } from './import-folder';
import { formatStorageReport } from './storage-verify';

/** Runs `work` with the index open; attaches to the server's embedded PostgreSQL if it runs. */
async function withContext<T>(work: (ctx: INestApplicationContext) => Promise<T>, options = { recoverAtStart: true }): Promise<T> {
  const config = loadConfig();
  const database = await startDatabase(config, (msg) => process.stderr.write(`${msg}\n`));
  const ctx = await NestFactory.createApplicationContext(CliModule.forRoot(config, database.url, options), { logger: ['error'] });
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
    await database.stop();
  }
}

const program = new Command('pacs').description('PACS administration');

program
  .command('import')
  .description('import every DICOM file below a folder (recursive), through the same path as C-STORE')
  .argument('<folder>')
  .option('--no-progress', 'no progress bar')
  .action(async (folder: string, opts: { progress: boolean }) => {
    const summary = await withContext((ctx) => importFolder(folder, ctx.get(BlobStore), ctx.get(IngestService), opts.progress, ctx.get(AuditService)));
    process.stdout.write(`stored: ${summary.stored}\nduplicates: ${summary.duplicates}\nfailed: ${summary.failed.length}\n`);
    for (const f of summary.failed) process.stdout.write(`  ${f.file}: ${f.reason}\n`);
    process.stdout.write(`skipped: ${summary.skipped.length}\n`);
    for (const f of summary.skipped) process.stdout.write(`  ${f.file}: ${f.reason}\n`);
    process.exitCode = summary.failed.length > 0 ? 1 : 0;
  });

program
  .command('export')
  .description('write studies as DICOM media into a new or empty folder: a DICOMDIR and the stored files it references (for a CD/DVD burner or a workstation)')
  .argument('<folder>')
  .requiredOption('--study <uid...>', 'Study Instance UID of each study to export')
  .option('--no-progress', 'no progress bar')
  .action(async (folder: string, opts: { study: string[]; progress: boolean }) => {
    const written = await withContext((ctx) => exportStudies(folder, opts.study, ctx.get(RetrieveService), ctx.get(AuditService), opts.progress));
    process.stdout.write(`exported: ${written} files and a DICOMDIR into ${folder}\n`);
  });

const users = program.command('users').description('manage users');
users
  .command('add')
  .description('create a user')
  .argument('<username>')
  .requiredOption('--password <password>', 'initial password (at least 8 characters)')
  .option('--roles <roles>', 'comma-separated roles: admin, radiologist, technologist, ris, auditor, viewer-service', 'radiologist')
  .action(async (username: string, opts: { password: string; roles: string }) => {
    const roles = opts.roles.split(',').map((r) => r.trim()).filter(Boolean);
    await withContext(async (ctx) => {
      await ctx.get(UsersService).createUser(username, opts.password, roles);
      const details = { eventType: AuditEventType.UserSecurityAttributesChanged, username, roles };
      await ctx.get(AuditService).record({ actor: 'cli', actorType: 'system', action: AuditAction.SecurityAlert, actionCode: 'C', outcome: 0, details });
    });
    process.stdout.write(`created user "${username}" with roles ${roles.join(', ')}\n`);
  });

const storage = program.command('storage').description('blob store maintenance');
storage
  .command('verify')
  .description('compare the blob store with the index: files no instance references (orphans) and instances whose file is missing; exit status 1 if any')
  .option('--fix', 'remove orphans (and what crashed processes left); missing files cannot be restored and are only listed')
  .option('--grace <minutes>', 'files without an instance younger than this are not judged (a running server may be storing them)', parseMinutes, 5)
  .action(async (opts: { fix?: boolean; grace: number }) => {
    // No start-up recovery: verify reports what it finds, and --fix does only what it says.
    const verify = (ctx: INestApplicationContext) => ctx.get(StorageVerifier).verify({ fix: !!opts.fix, graceMs: opts.grace * 60_000 });
    const report = await withContext(verify, { recoverAtStart: false });
    const { text, exitCode } = formatStorageReport(report, opts.grace);
    process.stdout.write(text);
    process.exitCode = exitCode;
  });

storage
  .command('copy-to-s3')
  .description('copy the blobs under PACS_DATA_DIR into the bucket of PACS_S3_* (same keys; resumable, each object verified), before switching PACS_STORAGE_BACKEND to s3')
  .option('--no-progress', 'no progress bar')
  .action(async (opts: { progress: boolean }) => {
    const config = loadConfig();
    const summary = await copyToS3(new FilesystemBlobStore(config.dataDir), await openBucket(config), opts.progress);
    process.stdout.write(`copied: ${summary.copied}\nalready in the bucket: ${summary.present}\nfailed: ${summary.failed.length}\n`);
    for (const f of summary.failed) process.stdout.write(`  ${f.key}: ${f.reason}\n`);
    process.exitCode = summary.failed.length > 0 ? 1 : 0;
  });

function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (value.trim() === '' || !Number.isFinite(minutes) || minutes < 0) throw new InvalidArgumentError('expected a number of minutes (0 or more)');
  return minutes;
}

program.parseAsync().catch((err: Error & { code?: string }) => {
  process.stderr.write(`pacs: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
  process.exit(1);
});
