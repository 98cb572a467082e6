export { ConfigModule } from './config.module';
export { PacsConfig, loadConfig } from './pacs-config';
export type { DuplicatePolicy, DimseService, PeerSeed } from './pacs-config';
export { ConfigError, DIMSE_SERVICES, MAX_MOVE_ASSOCIATIONS } from './config-schema';
