export { ConfigModule } from './config.module';
export { PacsConfig, loadConfig, DIMSE_SERVICES } from './pacs-config';
export type { DuplicatePolicy, DimseService, PeerSeed } from './pacs-config';
export { ConfigError, isAeTitle } from './config-schema';
