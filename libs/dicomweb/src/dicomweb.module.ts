import { Module } from '@nestjs/common';
import { DeidModule } from '@pacs/deid';
import { IndexModule } from '@pacs/index';
import { DeleteController } from './delete.controller';
import { ExportsController } from './exports.controller';
import { MetadataController } from './metadata.controller';
import { MetadataService } from './metadata.service';
import { QidoController } from './qido.controller';
import { RejectionsController } from './rejections.controller';
import { StowController } from './stow.controller';
import { StowService } from './stow.service';
import { WadoController } from './wado.controller';
import { FramesController } from './frames.controller';
import { PixelCodecs } from './pixel-codecs';
import { PixelService } from './pixel.service';
import { RenderedController } from './rendered.controller';
import { RenderingService } from './rendering.service';
import { RepresentativeInstance } from './representative-instance';

/** DICOMweb (PS3.18) under /dicomweb: STOW-RS, QIDO-RS and WADO-RS over the shared index services. */
@Module({
  imports: [IndexModule, DeidModule],
  controllers: [StowController, QidoController, WadoController, MetadataController, FramesController, RenderedController, DeleteController, ExportsController, RejectionsController],
  providers: [StowService, MetadataService, PixelCodecs, PixelService, RenderingService, RepresentativeInstance],
})
export class DicomWebModule {}
