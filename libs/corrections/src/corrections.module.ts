import { Module } from '@nestjs/common';
import { IndexModule } from '@pacs/index';
import { CorrectionsController } from './corrections.controller';
import { CorrectionsService } from './corrections.service';

/** Corrections of stored data: study attributes, patient merge, series move (issue 32). */
@Module({
  imports: [IndexModule],
  controllers: [CorrectionsController],
  providers: [CorrectionsService],
  exports: [CorrectionsService],
})
export class CorrectionsModule {}
