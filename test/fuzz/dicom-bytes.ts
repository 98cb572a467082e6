// What the fuzz needs beyond test/support/raw-pdu.ts: the SOP classes it proposes, the command
// sets it starts from (PS3.7 9.3), a whole message cut into P-DATA-TF PDUs, and A-RELEASE-RQ.
import { pData, pduHeader, pdv } from '../support/raw-pdu';
import { MPPS, STORAGE_COMMITMENT, STUDY_ROOT_FIND, STUDY_ROOT_GET, VERIFICATION } from '../support/dimse-requests';
import { CT_IMAGE_STORAGE } from '../support/generator';

export { CT_IMAGE_STORAGE, MPPS, STORAGE_COMMITMENT, STUDY_ROOT_FIND, STUDY_ROOT_GET, VERIFICATION };
export const MWL_FIND = '1.2.840.10008.5.1.4.31';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** Command set elements by element number (group 0000), as test/support/raw-pdu.ts commandSet takes them. */
export type CommandElements = Record<number, number | string | Buffer>;

/** A C-STORE-RQ (PS3.7 9.3.1.1) announcing a data set. */
export function cStoreRq(sopClassUid: string, sopInstanceUid: string, messageId: number): CommandElements {
  return { 0x0002: sopClassUid, 0x0100: 0x0001, 0x0110: messageId, 0x0700: 0, 0x0800: 0x0000, 0x1000: sopInstanceUid };
}

/** A C-ECHO-RQ (PS3.7 9.3.5.1). */
export function cEchoRq(messageId: number): CommandElements {
  return { 0x0002: VERIFICATION, 0x0100: 0x0030, 0x0110: messageId, 0x0800: 0x0101 };
}

/** A whole message as P-DATA-TF PDUs with fragments of at most `maxFragment` bytes (PS3.8 9.3.5.1, E.2). */
export function messagePdus(contextId: number, command: Buffer, dataset: Buffer | undefined, maxFragment = 16_000): Buffer {
  const out = [pData(pdv(command, 0x03, contextId))];
  for (let at = 0; dataset && (at < dataset.length || at === 0); at += maxFragment) {
    const end = Math.min(dataset.length, at + maxFragment);
    out.push(pData(pdv(dataset.subarray(at, end), end >= dataset.length ? 0x02 : 0x00, contextId)));
    if (dataset.length === 0) break;
  }
  return Buffer.concat(out);
}

export const RELEASE_RQ = Buffer.concat([pduHeader(0x05, 4), Buffer.alloc(4)]);
