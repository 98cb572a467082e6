import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DicomAttributes, DimseCaller, NormalizedProvider } from '@pacs/dimse';
import { DimseFailure } from '@pacs/dimse';
import { DimseStatus } from '@pacs/errors';
import { isValidUid } from '@pacs/dicom';
import { MppsService } from './mpps.service';

/** Modality Performed Procedure Step SOP Class (PS3.4 F.7.1, PS3.6 Annex A). */
export const MPPS_SOP_CLASS = '1.2.840.10008.3.1.2.3.3';

/** N-CREATE / N-SET for MPPS, handed to the DIMSE dispatch. */
@Injectable()
export class MppsProvider implements NormalizedProvider {
  readonly sopClassUids = [MPPS_SOP_CLASS];
  readonly service = 'mpps' as const;

  constructor(private readonly mpps: MppsService) {}

  async create(_sopClassUid: string, sopInstanceUid: string | undefined, attributes: DicomAttributes, caller: DimseCaller) {
    // The SCU may leave the instance UID to the SCP (PS3.7 10.1.5.1.4); we return the one we made.
    const uid = sopInstanceUid ?? `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
    if (!isValidUid(uid)) throw new DimseFailure(DimseStatus.InvalidObjectInstance, 'Affected SOP Instance UID is not a valid UID');
    await this.mpps.create(uid, attributes, caller);
    return { sopInstanceUid: uid };
  }

  async set(_sopClassUid: string, sopInstanceUid: string, modifications: DicomAttributes, caller: DimseCaller) {
    await this.mpps.set(sopInstanceUid, modifications, caller);
    return {};
  }
}
