import { Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { PacsConfig } from '@pacs/config';
import type { DicomJson } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';
import { IngestError, IngestService, IngestSource } from '@pacs/index';
import { BlobStore } from '@pacs/storage';
import { MediaType, parseMediaType } from './media-type';
import { PartReaderOptions, readMultipartParts } from './multipart-reader';
import type { ReceivedPart } from './part-sink';
import { readSingleBody } from './single-body-reader';
import { StowResponseBuilder } from './stow-response';

export interface StowRequest {
  body: unknown;
  contentType: string | undefined;
  /** From POST /studies/{study}: every instance must belong to it. */
  studyUid?: string;
  baseUrl: string;
  actor?: string;
  remoteAddress?: string;
}

export interface StowResult {
  status: number;
  body: DicomJson;
  /** The studies of the instances stored, each once (for the audit event). */
  storedStudyUids: string[];
}

const DICOM = 'application/dicom';

/**
 * STOW-RS (PS3.18 10.5): streams each instance of the request into a temporary blob and
 * ingests it as soon as it is complete, one after another, through the shared ingest path.
 */
@Injectable()
export class StowService {
  private readonly logger = new Logger(StowService.name);

  constructor(
    private readonly ingest: IngestService,
    private readonly blobs: BlobStore,
    private readonly config: PacsConfig,
  ) {}

  async store(request: StowRequest): Promise<StowResult> {
    const mediaType = requestMediaType(request.contentType);
    const body = request.body;
    if (!(body instanceof Readable)) throw new DomainError('bad-request', 'the request has no body');
    const response = new StowResponseBuilder(request.baseUrl, request.studyUid);
    const source: IngestSource = {
      channel: 'stow',
      actor: request.actor,
      remoteAddress: request.remoteAddress,
      expectedStudyUid: request.studyUid,
    };
    const options: PartReaderOptions = {
      createTemp: () => this.blobs.createTemp(),
      maxPartBytes: this.config.ingest.maxInstanceBytes,
      maxBodyBytes: this.config.http.stowBodyLimit,
      onPart: (part) => this.ingestPart(part, source, response),
    };
    try {
      if (mediaType.type === DICOM) await readSingleBody(body, options);
      else await readMultipartParts(body, request.contentType ?? '', options);
    } catch (err) {
      throw withStoredCount(err, response.storedCount);
    }
    if (response.total === 0) throw new DomainError('bad-request', 'the request contains no instances');
    return { status: response.status, body: response.toJson(), storedStudyUids: response.storedStudyUids };
  }

  private async ingestPart(part: ReceivedPart, source: IngestSource, response: StowResponseBuilder): Promise<void> {
    if (!part.blob) {
      this.logger.warn({ part: part.index, problem: part.problem }, 'STOW-RS part not ingested');
      return response.addFailed(part.problem ?? 'storage-failure');
    }
    try {
      const outcome = await this.ingest.ingest(part.blob, source);
      response.addStored(outcome);
    } catch (err) {
      if (err instanceof IngestError) return response.addFailed(err.code, err.instance); // ingest logs refusals
      this.logger.error({ part: part.index, err }, 'STOW-RS ingest failed unexpectedly');
      response.addFailed('processing-failure');
    }
  }
}

/**
 * PS3.18 10.5.2: the request is `multipart/related; type="application/dicom"` or, for one
 * instance, `application/dicom`. Metadata-and-bulk-data STOW (application/dicom+json|xml)
 * is not supported: 415. A missing `type` parameter is taken as application/dicom.
 */
function requestMediaType(contentType: string | undefined): MediaType {
  const mediaType = parseMediaType(contentType ?? '');
  if (mediaType.type === DICOM) return mediaType;
  if (mediaType.type !== 'multipart/related') {
    throw new DomainError('unsupported-media-type', `STOW-RS accepts multipart/related; type="${DICOM}" or ${DICOM}, not "${contentType ?? ''}"`);
  }
  const partType = (mediaType.params.type ?? DICOM).toLowerCase();
  if (partType !== DICOM) {
    throw new DomainError('unsupported-media-type', `STOW-RS accepts multipart/related parts of type ${DICOM}, not ${partType}`);
  }
  return mediaType;
}

/** A broken request after some instances were stored: say so, they are durable. */
function withStoredCount(err: unknown, stored: number): unknown {
  if (!(err instanceof DomainError) || stored === 0) return err;
  return new DomainError(err.code, `${err.message}; ${stored} complete instance(s) before the error were stored`);
}
