import { Injectable } from '@nestjs/common';
import type { DimseService } from '@pacs/config';
import type { DicomJson } from '@pacs/dicom';

/**
 * A data set as dcmjs "naturalizes" it: keyword → value (sequences are arrays of such objects,
 * person names `[{ Alphabetic }]`). dcmjs-dimse hands identifiers over in this form and encodes
 * responses from it.
 */
export type DicomAttributes = Record<string, unknown>;

/** Who is asking: the calling AE of the association and its network address. */
export interface DimseCaller {
  callingAe: string;
  remoteAddress: string | undefined;
}

/**
 * A failure a provider reports; PacsScp answers with this status and the message as Error
 * Comment (PS3.7 C.4). Any other thrown error becomes Processing failure (0x0110 / 0xC000-range
 * for C-FIND), never a dropped association.
 */
export class DimseFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DimseFailure';
  }
}

/** Serves C-FIND for some SOP classes (Q/R FIND models, Modality Worklist FIND). */
export interface FindProvider {
  /** Abstract syntaxes served; they are accepted in presentation contexts. */
  readonly sopClassUids: readonly string[];
  /** The AE-policy right a caller needs (PS3.8 peer services). */
  readonly service: DimseService;
  /**
   * Yields one identifier per match, as DICOM JSON (PS3.18 F.2; `toDicomJson` turns a
   * naturalized one into it); each becomes a Pending response (PS3.4 C.4.1.2), written with its
   * values as they are. Stops early when `signal` aborts (C-CANCEL, PS3.7 9.3.2.3). Throws
   * DimseFailure for a bad identifier (e.g. 0xA900 or 0xC000-range per PS3.4 C.4.1.1.4).
   */
  find(identifier: DicomAttributes, caller: DimseCaller, signal: AbortSignal): AsyncIterable<DicomJson>;
}

/** Serves N-CREATE and N-SET for some SOP classes (Modality Performed Procedure Step, PS3.4 F). */
export interface NormalizedProvider {
  readonly sopClassUids: readonly string[];
  readonly service: DimseService;
  /**
   * N-CREATE (PS3.7 10.1.5): `sopInstanceUid` is undefined when the SCU leaves it to us.
   * Returns the instance UID and optionally attributes for the response. Throws DimseFailure.
   */
  create(sopClassUid: string, sopInstanceUid: string | undefined, attributes: DicomAttributes, caller: DimseCaller): Promise<{ sopInstanceUid: string; attributes?: DicomAttributes }>;
  /** N-SET (PS3.7 10.1.6). Throws DimseFailure (e.g. 0x0112 no such instance, 0xC310). */
  set(sopClassUid: string, sopInstanceUid: string, modifications: DicomAttributes, caller: DimseCaller): Promise<{ attributes?: DicomAttributes }>;
}

/**
 * Where domain modules plug their DIMSE services in: the worklist module registers its MWL
 * FIND provider, the MPPS module its N-CREATE/N-SET provider, in `onModuleInit`. The DIMSE
 * listener reads the registry when it starts (after every module has initialized).
 */
@Injectable()
export class DimseProviders {
  private readonly finds = new Map<string, FindProvider>();
  private readonly normalized = new Map<string, NormalizedProvider>();

  registerFind(provider: FindProvider): void {
    for (const uid of provider.sopClassUids) this.finds.set(uid, provider);
  }

  registerNormalized(provider: NormalizedProvider): void {
    for (const uid of provider.sopClassUids) this.normalized.set(uid, provider);
  }

  findProvider(sopClassUid: string): FindProvider | undefined {
    return this.finds.get(sopClassUid);
  }

  normalizedProvider(sopClassUid: string): NormalizedProvider | undefined {
    return this.normalized.get(sopClassUid);
  }

  /** Every SOP class a registered provider serves (non-storage presentation contexts). */
  sopClassUids(): string[] {
    return [...this.finds.keys(), ...this.normalized.keys()];
  }
}
