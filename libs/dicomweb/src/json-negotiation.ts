import Negotiator from 'negotiator';
import { DomainError } from '@pacs/errors';
import { DICOM_JSON } from './dicomweb-api.decorators';

/**
 * PS3.18 8.7.3, 10.6.3.2: QIDO-RS results and metadata are DICOM JSON; application/json is its
 * alias. Always UTF-8 (PS3.18 F.2), so an Accept asking for charset=utf-8 is satisfied too.
 */
const JSON_TYPES = [`${DICOM_JSON}; charset=utf-8`, 'application/json; charset=utf-8'];

/** Accept with q-values (RFC 9110 12.5.1); 406 only when neither JSON type is acceptable. */
export function negotiateJson(req: { headers: Record<string, string | string[] | undefined> }): string {
  const type = new Negotiator(req).mediaType(JSON_TYPES);
  if (!type) throw new DomainError('not-acceptable', `the response is ${JSON_TYPES.map((t) => t.split(';')[0]).join(' or ')}; Accept "${String(req.headers.accept)}" allows neither`);
  return type;
}

