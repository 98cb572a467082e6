import { Module } from '@nestjs/common';
import { ViewerRoutes } from './viewer-routes';

/** The bundled OHIF viewer at /viewer/ (PACS_VIEWER). */
@Module({ providers: [ViewerRoutes] })
export class ViewerModule {}
