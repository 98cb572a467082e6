// Public API of @pacs/viewer: the bundled OHIF viewer at /viewer/.
export { ViewerModule } from './viewer.module';
export { appConfigScript, ohifConfig } from './app-config';
export type { ViewerLogin } from './app-config';
