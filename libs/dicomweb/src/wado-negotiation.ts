import Negotiator from 'negotiator';
import { DomainError } from '@pacs/errors';
import { AS_STORED, withTransferSyntaxDefaults } from './media-type';
import { canTranscodeToExplicitLittle, EXPLICIT_VR_LITTLE_ENDIAN } from './transcode';

/** How to send retrieved instances: one multipart/related part each, or the bare bytes. */
export type WadoRendering = 'multipart' | 'single';

/** The chosen representation: rendering, and the transfer syntax of every part ('*' = as stored). */
export interface WadoChoice {
  rendering: WadoRendering;
  transferSyntax: string;
}

const DICOM = 'application/dicom';
const MULTIPART = `multipart/related; type="${DICOM}"`;

/**
 * Picks the representation of a WADO-RS retrieve from the Accept header, q-values and all
 * (PS3.18 8.7.3, 10.4.1.1.1; RFC 9110 12.5.1, through `negotiator`): multipart/related of
 * application/dicom parts (also for any-type ranges), or a bare application/dicom when exactly
 * one instance is asked for. Transfer syntax (8.7.3.5.2): a range that names application/dicom
 * without one means Explicit VR Little Endian, produced by re-encoding native syntaxes and
 * decoding compressed ones; `*` sends each instance as stored; any other syntax only when every
 * instance is stored in it. An any-type Accept gets Explicit VR Little Endian when every
 * instance can be decoded, else the stored syntaxes. 406 when no range can be satisfied.
 */
export function negotiateWado(accept: string | undefined, storedSyntaxes: ReadonlySet<string>, singleInstance: boolean): WadoChoice {
  const offers = offersFor(storedSyntaxes, singleInstance);
  const chosen = new Negotiator({ headers: { accept: withTransferSyntaxDefaults(accept) || '*/*' } }).mediaType(offers.map((o) => o.mediaType));
  const offer = offers.find((o) => o.mediaType === chosen);
  if (offer) return offer.choice;
  const undecodable = [...storedSyntaxes].filter((ts) => !canTranscodeToExplicitLittle(ts));
  throw new DomainError(
    'not-acceptable',
    `cannot satisfy Accept "${accept ?? ''}": instances are sent as ${MULTIPART}${singleInstance ? ` or ${DICOM}` : ''} ` +
      `in their stored transfer syntax (${[...storedSyntaxes].join(', ')}, transfer-syntax=*)` +
      (undecodable.length === 0
        ? ` or as ${EXPLICIT_VR_LITTLE_ENDIAN} (the default)`
        : `; ${EXPLICIT_VR_LITTLE_ENDIAN} (the default) cannot be produced: no decoder for ${undecodable.join(', ')}`),
  );
}

interface Offer {
  mediaType: string;
  choice: WadoChoice;
}

/** What we can produce, the default first (an Accept without parameters picks the first). */
function offersFor(storedSyntaxes: ReadonlySet<string>, singleInstance: boolean): Offer[] {
  const stored = storedSyntaxes.size === 1 ? [...storedSyntaxes][0] : undefined;
  const syntaxes: { offered: string; sent: string }[] = [];
  if ([...storedSyntaxes].every(canTranscodeToExplicitLittle)) syntaxes.push({ offered: EXPLICIT_VR_LITTLE_ENDIAN, sent: EXPLICIT_VR_LITTLE_ENDIAN });
  syntaxes.push({ offered: AS_STORED, sent: '*' });
  if (stored && stored !== EXPLICIT_VR_LITTLE_ENDIAN) syntaxes.push({ offered: stored, sent: '*' });
  const renderings: [WadoRendering, string][] = [['multipart', MULTIPART]];
  if (singleInstance) renderings.push(['single', DICOM]);
  return renderings.flatMap(([rendering, type]) =>
    syntaxes.map(({ offered, sent }) => ({ mediaType: `${type}; transfer-syntax=${offered}`, choice: { rendering, transferSyntax: sent } })),
  );
}
