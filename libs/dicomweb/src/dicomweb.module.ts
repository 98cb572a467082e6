import { Module } from '@nestjs/common';
import { IndexModule } from '@pacs/index';
import { MetadataController } from './metadata.controller';
import { MetadataService } from './metadata.service';
import { QidoController } from './qido.controller';
import { StowController } from './stow.controller';
import { StowService } from './stow.service';
import { WadoController } from './wado.controller';

/** DICOMweb (PS3.18) under /dicomweb: STOW-RS, QIDO-RS and WADO-RS over the shared index services. */
@Module({
  imports: [IndexModule],
  controllers: [StowController, QidoController, WadoController, MetadataController],
  providers: [StowService, MetadataService],
})
export class DicomWebModule {}
