// OpenAPI annotations shared by the DICOMweb controllers; documentation only, no behaviour.
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery } from '@nestjs/swagger';
import { MAX_QIDO_LIMIT } from './qido-params';

export const DICOM_JSON = 'application/dicom+json';
export const MULTIPART_DICOM = 'multipart/related; type="application/dicom"';
export const APPLICATION_DICOM = 'application/dicom';

/** A DICOM JSON array of datasets (PS3.18 F.2). */
export const DICOM_JSON_ARRAY = { type: 'array', items: { type: 'object', description: 'DICOM JSON dataset (PS3.18 F.2)' } } as const;

/** The STOW-RS response dataset (PS3.18 10.5.3). */
export const STOW_RESPONSE = {
  type: 'object',
  description: 'DICOM JSON dataset: RetrieveURL, ReferencedSOPSequence (stored), FailedSOPSequence (failed, with FailureReason)',
} as const;

/** Part 10 bytes, one instance per part. */
export const DICOM_BINARY = { type: 'string', format: 'binary' } as const;

const UIDS = {
  study: ['Study Instance UID (0020,000D)', '1.2.826.0.1.3680043.8.498.1'],
  series: ['Series Instance UID (0020,000E)', '1.2.826.0.1.3680043.8.498.1.1'],
  instance: ['SOP Instance UID (0008,0018)', '1.2.826.0.1.3680043.8.498.1.1.1'],
} as const;

/** Describes the UID path parameters the route has. */
export function ApiUidParams(...names: (keyof typeof UIDS)[]): MethodDecorator {
  return applyDecorators(
    ...names.map((name) => ApiParam({ name, description: UIDS[name][0], example: UIDS[name][1] })),
  );
}

/**
 * A QIDO-RS search route. Its 200 is declared per method: Nest adds a bare 200 to every GET
 * that has none, and that would hide a class-level one.
 */
export function ApiQidoSearch(summary: string): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiOkResponse({
      schema: DICOM_JSON_ARRAY,
      description: 'Matches as a DICOM JSON array (`[]` when none); header `Warning: 299` when more results exist than were returned',
    }),
  );
}

/** A WADO-RS retrieve route (200 per method, as for QIDO-RS). */
export function ApiWadoRetrieve(summary: string, description?: string): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary, description }),
    ApiOkResponse({
      schema: DICOM_BINARY,
      description:
        'Part 10 instances, one application/dicom part each. Without `transfer-syntax` (or with ' +
        '`1.2.840.10008.1.2.1`): Explicit VR Little Endian, compressed pixel data decoded (406 when no decoder exists, ' +
        'e.g. video); with `transfer-syntax=*` or the stored syntax: the stored bytes',
    }),
  );
}

/** The STOW-RS request body (PS3.18 10.5.1); ApiBody only decorates methods. */
export function ApiStowBody(): MethodDecorator {
  return ApiBody({ schema: DICOM_BINARY, description: 'Part 10 instances, one per part (or one bare application/dicom body)' });
}

/** The QIDO-RS query parameters (PS3.18 8.3.4); a class decorator applies them to every search. */
export function ApiQidoQuery(): ClassDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'match',
      required: false,
      style: 'form',
      explode: true,
      schema: { type: 'object', additionalProperties: { type: 'string' } },
      example: { PatientID: '12345', StudyDate: '20240101-20240131', ModalitiesInStudy: 'CT' },
      description:
        'Matching keys (PS3.18 8.3.4.1): any attribute as a query parameter, named by keyword or tag ' +
        '(`PatientID=12345`, `00100020=12345`, `ReferencedStudySequence.ReferencedSOPInstanceUID=…`). ' +
        'Single value, wildcard (`*`, `?`), date/time range (`20240101-20240131`) and UID list matching. ' +
        'Unknown attributes answer 400.',
    }),
    ApiQuery({ name: 'limit', required: false, type: 'integer', minimum: 1, maximum: MAX_QIDO_LIMIT, description: `Maximum results (PS3.18 8.3.4.4); capped at ${MAX_QIDO_LIMIT}` }),
    ApiQuery({ name: 'offset', required: false, type: 'integer', minimum: 0, description: 'Results to skip (PS3.18 8.3.4.4)' }),
    ApiQuery({
      name: 'includefield',
      required: false,
      type: 'string',
      isArray: true,
      description: 'Extra attributes to return, by keyword or tag, comma-separated or repeated; `all` for every stored attribute (PS3.18 8.3.4.2)',
      example: ['StudyDescription', '00081030'],
    }),
    ApiQuery({ name: 'fuzzymatching', required: false, type: 'boolean', description: 'Fuzzy matching of person names (PS3.18 8.3.4.3)' }),
  );
}
