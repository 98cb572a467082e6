import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@pacs/database';

/** For the TypeORM migration CLI: `DATABASE_URL=... npm run migration:run`. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://pacs@127.0.0.1:5433/pacs'));
