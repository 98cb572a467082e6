import Negotiator from 'negotiator';
import { DomainError } from '@pacs/errors';
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
const AS_STORED = '*';

/**
 * Picks the representation of a WADO-RS retrieve from the Accept header, q-values and all
 * (PS3.18 8.7.3, 10.4.1.1.1; RFC 9110 12.5.1, through `negotiator`): multipart/related of
 * application/dicom parts (also for any-type ranges), or a bare application/dicom when exactly
 * one instance is asked for. Transfer syntax (8.7.3.5): `*` or no parameter sends each instance
 * as stored (our choice for an absent parameter: no silent re-encoding); Explicit VR Little
 * Endian is produced by transcoding when every stored syntax is native; any other syntax only
 * when every instance is stored in it. 406 when no range can be satisfied.
 */
export function negotiateWado(accept: string | undefined, storedSyntaxes: ReadonlySet<string>, singleInstance: boolean): WadoChoice {
  const offers = offersFor(storedSyntaxes, singleInstance);
  const chosen = new Negotiator({ headers: { accept: accept || '*/*' } }).mediaType(offers.map((o) => o.mediaType));
  const offer = offers.find((o) => o.mediaType === chosen);
  if (offer) return offer.choice;
  throw new DomainError(
    'not-acceptable',
    `cannot satisfy Accept "${accept ?? ''}": instances are sent as ${MULTIPART}` +
      `${singleInstance ? ` or ${DICOM}` : ''} in their stored transfer syntax (${[...storedSyntaxes].join(', ')})` +
      `${[...storedSyntaxes].every(canTranscodeToExplicitLittle) ? ` or ${EXPLICIT_VR_LITTLE_ENDIAN}` : ''}`,
  );
}

interface Offer {
  mediaType: string;
  choice: WadoChoice;
}

/** What we can produce, most natural first (an Accept without parameters picks the first). */
function offersFor(storedSyntaxes: ReadonlySet<string>, singleInstance: boolean): Offer[] {
  const syntaxes: string[] = [AS_STORED];
  if (storedSyntaxes.size === 1) syntaxes.push(...storedSyntaxes);
  if ([...storedSyntaxes].every(canTranscodeToExplicitLittle) && !syntaxes.includes(EXPLICIT_VR_LITTLE_ENDIAN)) {
    syntaxes.push(EXPLICIT_VR_LITTLE_ENDIAN);
  }
  const renderings: [WadoRendering, string][] = [['multipart', MULTIPART]];
  if (singleInstance) renderings.push(['single', DICOM]);
  return renderings.flatMap(([rendering, type]) =>
    syntaxes.map((ts) => ({
      mediaType: `${type}; transfer-syntax=${ts}`,
      choice: { rendering, transferSyntax: storedSyntaxes.size === 1 && ts === [...storedSyntaxes][0] ? AS_STORED : ts },
    })),
  );
}
