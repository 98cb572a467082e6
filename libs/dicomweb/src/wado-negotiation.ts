import { DicomWebError } from './dicomweb.errors';
import { MediaType, parseAccept } from './media-type';

/** How to send retrieved instances: one multipart/related part each, or the bare bytes. */
export type WadoRendering = 'multipart' | 'single';

const DICOM = 'application/dicom';

/**
 * Picks the representation of a WADO-RS instance retrieve from the Accept header
 * (PS3.18 8.7.3, 10.4.1.1): `multipart/related; type="application/dicom"` (the default,
 * also for any-type ranges), or a bare `application/dicom` when exactly one instance is asked for.
 * We send instances in their stored transfer syntax (no transcoding), so a range naming a
 * transfer-syntax other than `*` or the stored one cannot be served. Throws 406 when no
 * range can be satisfied.
 */
export function negotiateWado(accept: string | undefined, storedSyntaxes: ReadonlySet<string>, singleInstance: boolean): WadoRendering {
  for (const range of parseAccept(accept)) {
    const rendering = renderingFor(range, singleInstance);
    if (rendering && syntaxAcceptable(range, storedSyntaxes)) return rendering;
  }
  throw new DicomWebError(
    'not-acceptable',
    `cannot satisfy Accept "${accept ?? ''}": instances are sent as multipart/related; type="${DICOM}"` +
      ` in their stored transfer syntax (${[...storedSyntaxes].join(', ')})`,
  );
}

function renderingFor(range: MediaType, singleInstance: boolean): WadoRendering | undefined {
  switch (range.type) {
    case '*/*':
    case 'multipart/*':
      return 'multipart';
    case 'multipart/related': {
      const type = (range.params.type ?? DICOM).toLowerCase();
      return type === DICOM || type === '*/*' || type === 'application/*' ? 'multipart' : undefined;
    }
    case DICOM:
      return singleInstance ? 'single' : undefined;
    default:
      return undefined;
  }
}

/** PS3.18 8.7.3.5.2: an absent transfer-syntax parameter is taken to mean "as stored" here. */
function syntaxAcceptable(range: MediaType, storedSyntaxes: ReadonlySet<string>): boolean {
  const wanted = range.params['transfer-syntax'];
  if (wanted === undefined || wanted === '*') return true;
  return [...storedSyntaxes].every((ts) => ts === wanted);
}
