import { Injectable, OnModuleInit } from '@nestjs/common';
import type { DicomJson } from '@pacs/dicom';
import { QueryError, QueryService } from '@pacs/index';
import { DicomAttributes, DimseFailure, DimseProviders, FindProvider } from '../providers/dimse-providers';
import { DimseStatus } from '@pacs/errors';
import { toFindQuery, toResponseIdentifier } from './qr-identifier';
import { QrRoot, QrSopClass } from './qr-sop-classes';

/**
 * C-FIND SCP for the Patient Root and Study Root Query/Retrieve information models (PS3.4 C.4.1,
 * C.6.1, C.6.2) on the shared query engine: one Pending response per match, streamed.
 */
@Injectable()
export class QrFindProvider implements OnModuleInit {
  constructor(
    private readonly providers: DimseProviders,
    private readonly queries: QueryService,
  ) {}

  /** One provider per information model: the model decides whether PATIENT is a level. */
  onModuleInit(): void {
    for (const [sopClassUid, root] of [
      [QrSopClass.PatientRootFind, 'patient'],
      [QrSopClass.StudyRootFind, 'study'],
    ] as const) {
      const provider: FindProvider = {
        sopClassUids: [sopClassUid],
        service: 'find',
        find: (identifier, _caller, signal) => this.matches(identifier, root, signal),
      };
      this.providers.registerFind(provider);
    }
  }

  private async *matches(identifier: DicomAttributes, root: QrRoot, signal: AbortSignal): AsyncGenerator<DicomJson> {
    const query = toFindQuery(identifier, root);
    try {
      for await (const match of this.queries.stream(query, signal)) yield toResponseIdentifier(match, query.level);
    } catch (err) {
      // PS3.4 C.4.1.1.4: a key value the engine cannot match on makes the identifier unusable.
      if (err instanceof QueryError) throw new DimseFailure(DimseStatus.IdentifierDoesNotMatchSopClass, err.message);
      throw err;
    }
  }
}
