import { Injectable, Logger } from '@nestjs/common';
import { toDicomJson, type DicomAttributes, type DimseCaller, type FindProvider } from '@pacs/dimse';
import type { DicomJson } from '@pacs/dicom';
import { mwlCondition } from './mwl-query';
import { mwlResponse } from './mwl-response';
import { WorklistRepository } from './worklist.repository';

/** Modality Worklist Information Model – FIND (PS3.4 K.6.1, PS3.6 Annex A). */
export const MWL_FIND_SOP_CLASS = '1.2.840.10008.5.1.4.31';
/** A modality's worklist is short; more matches than this are cut (and logged). */
const MAX_MATCHES = 1000;

/** Answers MWL C-FIND from the worklist (PS3.4 K.4.1.2): one Pending response per Scheduled Procedure Step. */
@Injectable()
export class MwlFindProvider implements FindProvider {
  readonly sopClassUids = [MWL_FIND_SOP_CLASS];
  readonly service = 'worklist' as const;
  private readonly log = new Logger('MWL');

  constructor(private readonly repo: WorklistRepository) {}

  async *find(identifier: DicomAttributes, caller: DimseCaller, signal: AbortSignal): AsyncIterable<DicomJson> {
    const matches = await this.repo.matchSteps(mwlCondition(identifier), MAX_MATCHES);
    this.log.log({ callingAe: caller.callingAe, matches: matches.length }, 'MWL C-FIND');
    if (matches.length === MAX_MATCHES) this.log.warn({ callingAe: caller.callingAe }, `MWL answer cut at ${MAX_MATCHES} matches`);
    for (const match of matches) {
      if (signal.aborted) return;
      yield toDicomJson(mwlResponse(identifier, match));
    }
  }
}
