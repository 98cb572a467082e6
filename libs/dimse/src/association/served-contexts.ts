import { Injectable } from '@nestjs/common';
import { isStorageSopClass, SUPPORTED_TRANSFER_SYNTAXES, TransferSyntax, VERIFICATION_SOP_CLASS } from '@pacs/dicom';
import { STORAGE_COMMITMENT_SOP_CLASS } from '../commitment/storage-commitment';
import { RETRIEVE_SOP_CLASSES } from '../find/qr-sop-classes';
import { DimseProviders } from '../providers/dimse-providers';
import type { ContextRules } from './presentation-context';

/** Query, worklist and procedure-step messages carry no pixel data: the uncompressed syntaxes (PS3.5 A.1, A.2). */
const UNCOMPRESSED: ReadonlySet<string> = new Set([
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

const STORAGE: ReadonlySet<string> = new Set(SUPPORTED_TRANSFER_SYNTAXES);
const SERVED_HERE: ReadonlySet<string> = new Set([...RETRIEVE_SOP_CLASSES, STORAGE_COMMITMENT_SOP_CLASS]);

/**
 * The transfer syntaxes we accept per abstract syntax (PS3.8 9.3.3.2): verification and storage
 * in every supported syntax, as received; Query/Retrieve, Storage Commitment and the services
 * domain modules registered uncompressed; anything else not at all.
 */
@Injectable()
export class ServedContexts implements ContextRules {
  constructor(private readonly providers: DimseProviders) {}

  transferSyntaxesFor(sopClassUid: string): ReadonlySet<string> | undefined {
    if (sopClassUid === VERIFICATION_SOP_CLASS || isStorageSopClass(sopClassUid)) return STORAGE;
    const served = SERVED_HERE.has(sopClassUid) || this.providers.findProvider(sopClassUid) || this.providers.normalizedProvider(sopClassUid);
    return served ? UNCOMPRESSED : undefined;
  }
}
