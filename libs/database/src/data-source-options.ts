import { DataSourceOptions } from 'typeorm';
import { InitialSchema1763900000000 } from './migrations/1763900000000-InitialSchema';
import { IndexInstanceFunction1763910000000 } from './migrations/1763910000000-IndexInstanceFunction';
import { Workflow1764000000000 } from './migrations/1764000000000-Workflow';
import { Unaccent1764050000000 } from './migrations/1764050000000-Unaccent';
import { SeriesMetadataCache1764100000000 } from './migrations/1764100000000-SeriesMetadataCache';
import { AuditEvents1764200000000 } from './migrations/1764200000000-AuditEvents';
import { StudyCompletedAt1764400000000 } from './migrations/1764400000000-StudyCompletedAt';
import { AuditStaging1764500000000 } from './migrations/1764500000000-AuditStaging';
import { AuditStagePlpgsql1764600000000 } from './migrations/1764600000000-AuditStagePlpgsql';
import { IndexInstancesBatch1764700000000 } from './migrations/1764700000000-IndexInstancesBatch';
import { PeerCheckHost1764800000000 } from './migrations/1764800000000-PeerCheckHost';
import { PeerMoveAssociations1764900000000 } from './migrations/1764900000000-PeerMoveAssociations';
import { IndexInstancesBySeries1765000000000 } from './migrations/1765000000000-IndexInstancesBySeries';
import { StorageCommitments1765100000000 } from './migrations/1765100000000-StorageCommitments';
import { PeerTls1765200000000 } from './migrations/1765200000000-PeerTls';
import { UnlinkedProcedureSteps1765300000000 } from './migrations/1765300000000-UnlinkedProcedureSteps';
import { LegacyDateTimeColumns1765310000000 } from './migrations/1765310000000-LegacyDateTimeColumns';
import { BlobRemovals1765320000000 } from './migrations/1765320000000-BlobRemovals';
import { AuditEventSource1765330000000 } from './migrations/1765330000000-AuditEventSource';
import { OidcProviderState1765431000000 } from './migrations/1765431000000-OidcProviderState';

export const MIGRATIONS = [
  InitialSchema1763900000000,
  IndexInstanceFunction1763910000000,
  Workflow1764000000000,
  Unaccent1764050000000,
  SeriesMetadataCache1764100000000,
  AuditEvents1764200000000,
  StudyCompletedAt1764400000000,
  AuditStaging1764500000000,
  AuditStagePlpgsql1764600000000,
  IndexInstancesBatch1764700000000,
  PeerCheckHost1764800000000,
  PeerMoveAssociations1764900000000,
  IndexInstancesBySeries1765000000000,
  StorageCommitments1765100000000,
  PeerTls1765200000000,
  UnlinkedProcedureSteps1765300000000,
  LegacyDateTimeColumns1765310000000,
  BlobRemovals1765320000000,
  AuditEventSource1765330000000,
  OidcProviderState1765431000000,
];

/** Connections a process keeps at most. */
export const POOL_SIZE = 20;

/**
 * Options shared by the server, the CLI and the TypeORM migration CLI (ormconfig.ts).
 * `poolSize`: smaller for each of several workers, so that together they stay below the
 * database's connection limit (PostgreSQL's default is 100).
 */
export function dataSourceOptions(url: string, poolSize = POOL_SIZE): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: true,
    migrations: MIGRATIONS,
    extra: { max: poolSize },
  };
}
