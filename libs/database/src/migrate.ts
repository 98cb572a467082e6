import { DataSource, DataSourceOptions } from 'typeorm';

/** The advisory lock (pg_advisory_lock) held while migrating: 'PMIG'. */
const MIGRATION_LOCK = 0x504d4947;

/**
 * Opens the DataSource and brings the schema up to date with one migrator at a time: several
 * nodes (or workers) starting together on one database wait for the first, then find nothing
 * left to do. TypeORM takes no lock of its own, and two migrators creating the same table fail.
 */
export async function openMigrated(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await dataSource.runMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (err) {
    await runner.release();
    await dataSource.destroy();
    throw err;
  }
  await runner.release();
  return dataSource;
}
