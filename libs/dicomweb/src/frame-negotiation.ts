import Negotiator from 'negotiator';
import { TransferSyntax } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';
import { defaultSyntaxOf, frameMediaTypes, OCTET_STREAM } from './frame-media-types';

/** How frames (or bulk data) go out: each part's media type and transfer syntax. */
export interface FrameRepresentation {
  mediaType: string;
  transferSyntaxUid: string;
}

/**
 * Picks the representation of frames (PS3.18 8.7.3, 8.7.4) from the Accept header, with
 * q-values, by the `negotiator` package. We never transcode, so the offers are: native data as
 * application/octet-stream (explicit VR little endian; implicit VR little endian is the same
 * bytes), compressed data in its stored syntax under its own media type, or as
 * application/octet-stream when the client names that syntax or `transfer-syntax=*` (what
 * OHIF sends). A range without transfer-syntax means the media type's default syntax
 * (PS3.18 8.7.3.5.2), so it cannot match compressed data stored in another syntax: 406.
 */
export function negotiateFrames(accept: string | undefined, storedSyntax: string, encapsulated: boolean): FrameRepresentation {
  const offers: FrameRepresentation[] = encapsulated
    ? [...frameMediaTypes(storedSyntax).map((mediaType) => ({ mediaType, transferSyntaxUid: storedSyntax })), { mediaType: OCTET_STREAM, transferSyntaxUid: storedSyntax }]
    : [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian].map((transferSyntaxUid) => ({ mediaType: OCTET_STREAM, transferSyntaxUid }));
  const chosen = pick(withDefaultSyntaxes(accept), offers);
  if (chosen) return chosen;
  const stored = encapsulated ? `${frameMediaTypes(storedSyntax)[0] ?? OCTET_STREAM} in transfer syntax ${storedSyntax}` : `${OCTET_STREAM} (uncompressed)`;
  throw new DomainError('not-acceptable', `cannot satisfy Accept "${accept ?? ''}": the frames are stored as ${stored} and are not transcoded`);
}

/**
 * Bulk data is sent as stored, as application/octet-stream parts (PS3.18 8.7.2); a
 * transfer-syntax in Accept is matched against the stored one (or `*`), an absent one is
 * taken as "as stored".
 */
export function negotiateBulkData(accept: string | undefined, storedSyntax: string): FrameRepresentation {
  const offer = { mediaType: OCTET_STREAM, transferSyntaxUid: storedSyntax };
  const chosen = pick(accept, [offer]);
  if (chosen) return chosen;
  throw new DomainError('not-acceptable', `cannot satisfy Accept "${accept ?? ''}": bulk data is sent as multipart/related; type="${OCTET_STREAM}" in transfer syntax ${storedSyntax}`);
}

function pick(accept: string | undefined, offers: FrameRepresentation[]): FrameRepresentation | undefined {
  const types = offers.map((o) => `multipart/related; type="${o.mediaType}"; transfer-syntax=${o.transferSyntaxUid}`);
  const best = new Negotiator({ headers: { accept: accept && accept.trim() !== '' ? accept : '*/*' } }).mediaType(types);
  return best === undefined ? undefined : offers[types.indexOf(best)];
}

/** Adds `transfer-syntax=<default>` to each multipart range that names a part type but no syntax. */
function withDefaultSyntaxes(accept: string | undefined): string | undefined {
  if (!accept) return accept;
  return splitOutsideQuotes(accept, ',')
    .map((range) => {
      if (/transfer-syntax\s*=/i.test(range)) return range;
      const type = /;\s*type\s*=\s*"?([^";,\s]+)"?/i.exec(range)?.[1];
      const syntax = type && defaultSyntaxOf(type);
      return syntax ? `${range}; transfer-syntax=${syntax}` : range;
    })
    .join(',');
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === separator && !quoted) {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
  }
  pieces.push(text.slice(start));
  return pieces;
}
