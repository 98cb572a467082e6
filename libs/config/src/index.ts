export { ConfigModule } from './config.module';
export { PacsConfig, loadConfig } from './pacs-config';
export type { DuplicatePolicy, DimseService, PeerSeed } from './pacs-config';
export { ConfigError, DEID_OPTIONS, DIMSE_SERVICES, isDeidProfileSetting, MAX_MOVE_ASSOCIATIONS } from './config-schema';
export type { DeidProfileSetting } from './config-schema';
