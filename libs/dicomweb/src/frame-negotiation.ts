import Negotiator from 'negotiator';
import { TransferSyntax } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';
import { frameMediaTypes, OCTET_STREAM } from './frame-media-types';
import { AS_STORED, withTransferSyntaxDefaults } from './media-type';
import { canDecode } from './frame-codec';

/** How frames (or bulk data) go out: each part's media type and transfer syntax. */
export interface FrameRepresentation {
  mediaType: string;
  transferSyntaxUid: string;
}

/**
 * Picks the representation of frames (PS3.18 8.7.3, 8.7.4) from the Accept header, with
 * q-values, by the `negotiator` package. Native data goes out as application/octet-stream
 * (explicit VR little endian; implicit VR little endian is the same bytes). Compressed data goes
 * out decoded as application/octet-stream in Explicit VR Little Endian, the default syntax of
 * that media type (PS3.18 8.7.3.5.2) and our answer to an any-type Accept, when a codec exists;
 * as stored under its own media type; or as stored as application/octet-stream with
 * `transfer-syntax=*` (what OHIF sends) or the stored syntax named. 406 for anything else.
 */
export function negotiateFrames(accept: string | undefined, storedSyntax: string, encapsulated: boolean): FrameRepresentation {
  const offers: FrameRepresentation[] = encapsulated
    ? [
        ...(canDecode(storedSyntax) ? [{ mediaType: OCTET_STREAM, transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian }] : []),
        ...frameMediaTypes(storedSyntax).map((mediaType) => ({ mediaType, transferSyntaxUid: storedSyntax })),
        { mediaType: OCTET_STREAM, transferSyntaxUid: storedSyntax },
      ]
    : [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian].map((transferSyntaxUid) => ({ mediaType: OCTET_STREAM, transferSyntaxUid }));
  const chosen = pick(withTransferSyntaxDefaults(accept), offers, encapsulated ? storedSyntax : TransferSyntax.ExplicitVRLittleEndian);
  if (chosen) return chosen;
  const stored = encapsulated ? `${frameMediaTypes(storedSyntax)[0] ?? OCTET_STREAM} in transfer syntax ${storedSyntax}` : `${OCTET_STREAM} (uncompressed)`;
  const decoded = !encapsulated ? '' : canDecode(storedSyntax) ? ` or decoded as ${OCTET_STREAM} in ${TransferSyntax.ExplicitVRLittleEndian}` : ' and cannot be decoded (no codec for that syntax)';
  throw new DomainError('not-acceptable', `cannot satisfy Accept "${accept ?? ''}": the frames are stored as ${stored}${decoded}; nothing else can be produced`);
}

/**
 * Bulk data is sent as stored, as application/octet-stream parts (PS3.18 8.7.2); a
 * transfer-syntax in Accept is matched against the stored one (or `*`), an absent one is
 * taken as "as stored".
 */
export function negotiateBulkData(accept: string | undefined, storedSyntax: string): FrameRepresentation {
  const offer = { mediaType: OCTET_STREAM, transferSyntaxUid: storedSyntax };
  const chosen = pick(accept, [offer], storedSyntax);
  if (chosen) return chosen;
  throw new DomainError('not-acceptable', `cannot satisfy Accept "${accept ?? ''}": bulk data is sent as multipart/related; type="${OCTET_STREAM}" in transfer syntax ${storedSyntax}`);
}

/** `transfer-syntax=*` (AS_STORED) matches the offers in the stored syntax, and only those. */
function pick(accept: string | undefined, offers: FrameRepresentation[], storedSyntax: string): FrameRepresentation | undefined {
  const candidates = offers.flatMap((o) => [
    { offer: o, type: `multipart/related; type="${o.mediaType}"; transfer-syntax=${o.transferSyntaxUid}` },
    ...(o.transferSyntaxUid === storedSyntax ? [{ offer: o, type: `multipart/related; type="${o.mediaType}"; transfer-syntax=${AS_STORED}` }] : []),
  ]);
  const types = candidates.map((c) => c.type);
  const best = new Negotiator({ headers: { accept: accept && accept.trim() !== '' ? accept : '*/*' } }).mediaType(types);
  return best === undefined ? undefined : candidates[types.indexOf(best)].offer;
}
