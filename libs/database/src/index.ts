export { DatabaseModule } from './database.module';
export { DatabaseStartError, startDatabase, startEmbeddedPostgres } from './embedded-postgres';
export type { DatabaseHandle } from './embedded-postgres';
export { dataSourceOptions, MIGRATIONS } from './data-source-options';
export { openMigrated } from './migrate';
export { GroupCommit } from './group-commit';
export type { GroupCommitOptions } from './group-commit';
export { isStorableText, storableText, storableValue } from './storable-text';
export { sqlFile } from './sql-file';
