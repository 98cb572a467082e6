import { Dataset, requests, responses, Transcoding } from 'dcmjs-dimse';
import type { StoredInstance } from '@pacs/index';
import { EncodedDataset, encodeDataset } from '../wire/dataset-writer';

type CStoreRequest = requests.CStoreRequest;

/** An association over which C-STORE sub-operations go (PS3.4 C.4.2.3 C-MOVE, C.4.3.3 C-GET). */
export interface StoreChannel {
  /** Transfer syntaxes the peer accepted for a SOP class; empty when no context carries it. */
  acceptedSyntaxes(sopClassUid: string): string[];
  /** Sends one C-STORE and resolves with the response status; rejects when the association ends first. */
  store(request: CStoreRequest): Promise<number>;
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

/** Where the data set starts in a Part 10 file: after the preamble, "DICM" and group 0002 (PS3.10 7.1). */
export function datasetOffset(part10: Buffer): number {
  if (part10.length < 132 || part10.toString('latin1', 128, 132) !== 'DICM') throw new Error('not a Part 10 file');
  let at = 132;
  // File Meta elements are explicit VR little endian; long-form VRs have a 4-byte length.
  while (at + 8 <= part10.length && part10.readUInt16LE(at) === 0x0002) {
    const vr = part10.toString('latin1', at + 4, at + 6);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV'].includes(vr);
    at += long ? 12 + part10.readUInt32LE(at + 8) : 8 + part10.readUInt16LE(at + 6);
  }
  return at;
}

let codecs: Promise<void> | undefined;

/** Native codecs for compressed transcoding, loaded once (GOTCHAS: Transcoding.initializeAsync). */
function ensureCodecs(): Promise<void> {
  codecs ??= Transcoding.initializeAsync().catch(() => undefined);
  return codecs;
}

/**
 * The C-STORE request for one stored instance: its bytes as stored when the peer accepted the
 * stored transfer syntax, so the instance leaves exactly as it was received (no re-encoding, no
 * rewritten Specific Character Set, GOTCHAS); otherwise the instance transcoded to a syntax the
 * peer accepted, uncompressed first (only then, PS3.4 C.4.2.3.1). It is transcoded and encoded
 * here, so what cannot be written fails this sub-operation (the caller's 0x0110), never the
 * association. Undefined when no context carries the class.
 */
export async function storeRequestFor(instance: StoredInstance, part10: Buffer, accepted: string[]): Promise<CStoreRequest | undefined> {
  if (accepted.length === 0) return undefined;
  const body = part10.subarray(datasetOffset(part10));
  const identity = { SOPClassUID: instance.sopClassUid, SOPInstanceUID: instance.sopInstanceUid };
  if (accepted.includes(instance.transferSyntaxUid)) {
    return new requests.CStoreRequest(new EncodedDataset(body, instance.transferSyntaxUid, identity));
  }
  const target = accepted.find((ts) => UNCOMPRESSED.has(ts)) ?? accepted[0];
  if (!UNCOMPRESSED.has(instance.transferSyntaxUid) || !UNCOMPRESSED.has(target)) await ensureCodecs();
  return new requests.CStoreRequest(encodeDataset(Transcoding.transcodeDataset(new Dataset(body, instance.transferSyntaxUid), target)));
}

/**
 * Sends a request through a dcmjs-dimse Network (Scp or Client side) and waits for its final
 * response. When the library gives up on a request (e.g. transcoding failed) it ends it without
 * a response: that counts as Processing failure (0x0110).
 */
export function sendAndAwait<R extends CStoreRequest | requests.NEventReportRequest>(send: (request: R) => void, request: R, ended: Promise<never>): Promise<number> {
  const answered = new Promise<number>((resolve) => {
    let status: number | undefined;
    request.on('response', (response: responses.CStoreResponse | responses.NEventReportResponse) => {
      status = response.getStatus();
    });
    request.on('done', () => resolve(status ?? 0x0110));
  });
  send(request);
  return Promise.race([answered, ended]);
}

type NegotiatedAssociation = {
  getPresentationContexts(): { id: number }[];
  getPresentationContext(id: number): {
    getAbstractSyntaxUid(): string;
    getResult(): number;
    getAcceptedTransferSyntaxUid(): string | undefined;
    getProviderRole(): boolean | undefined;
  };
};

/**
 * Accepted transfer syntaxes of a SOP class on a negotiated association. With `asScp`, only
 * contexts where the requester took the SCP role count (C-GET, PS3.7 D.3.3.4 role selection).
 */
export function acceptedSyntaxesOf(association: NegotiatedAssociation | undefined, sopClassUid: string, asScp: boolean): string[] {
  if (!association) return [];
  return association
    .getPresentationContexts()
    .map(({ id }) => association.getPresentationContext(id))
    .filter((c) => c.getAbstractSyntaxUid() === sopClassUid && c.getResult() === 0 && (!asScp || c.getProviderRole() === true))
    .map((c) => c.getAcceptedTransferSyntaxUid() ?? '')
    .filter(Boolean);
}
