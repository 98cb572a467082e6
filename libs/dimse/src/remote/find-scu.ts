import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { Client, requests, responses } from 'dcmjs-dimse';
import { PeerAddresses, PEER_CONNECT_TIMEOUT_MS } from '../peers/peer-addresses';
import { toDicomJson } from '../wire/dataset-writer';

/** The remote is not a registered peer with a host and port, or could not be associated with. */
export class RemoteUnreachable extends Error {}

/** Study-level return keys we ask the remote for (PS3.4 C.6.2.1.2, Study Root). */
const STUDY_RETURN_KEYS = {
  StudyInstanceUID: '',
  StudyDate: '',
  StudyTime: '',
  AccessionNumber: '',
  StudyDescription: '',
  ModalitiesInStudy: '',
  PatientID: '',
  PatientName: '',
  PatientBirthDate: '',
  NumberOfStudyRelatedInstances: '',
};

const PENDING = [0xff00, 0xff01];

/**
 * Our C-FIND SCU (PS3.4 C.4.1, Study Root Query/Retrieve Information Model - FIND) to a
 * registered peer: one association, one study-level query, the pending matches as DICOM JSON.
 */
@Injectable()
export class FindScu {
  constructor(
    private readonly peers: PeerAddresses,
    private readonly config: PacsConfig,
  ) {}

  /** `keys` are matching keys by keyword (e.g. PatientID); the study-level return keys are added. */
  findStudies(aeTitle: string, keys: Record<string, string>): Promise<Record<string, unknown>[]> {
    const remote = this.peers.find(aeTitle);
    if (!remote) return Promise.reject(new RemoteUnreachable(`${aeTitle} is no registered peer with a host and port`));
    const request = requests.CFindRequest.createStudyFindRequest({ ...STUDY_RETURN_KEYS, ...keys });
    const matches: Record<string, unknown>[] = [];
    return new Promise((resolve, reject) => {
      let failure: Error | undefined;
      request.on('response', (response: responses.CFindResponse) => {
        const status = response.getStatus();
        const dataset = response.getDataset();
        if (PENDING.includes(status) && dataset) matches.push(numbersAsNumbers(toDicomJson(dataset.getElements() as never)));
        else if (status !== 0) failure = new Error(`${aeTitle} answered C-FIND with status 0x${status.toString(16).padStart(4, '0')}`);
      });
      const client = new Client();
      client.addRequest(request);
      client.on('associationRejected', () => (failure = new RemoteUnreachable(`${aeTitle} rejected the association`)));
      client.on('networkError', (err: Error) => (failure ??= new RemoteUnreachable(`cannot associate with ${aeTitle}: ${err.message}`)));
      client.on('closed', () => (failure ? reject(failure) : resolve(matches)));
      client.send(remote.host, remote.port, this.config.dimse.aeTitle, remote.aeTitle, {
        connectTimeout: PEER_CONNECT_TIMEOUT_MS,
        associationTimeout: PEER_CONNECT_TIMEOUT_MS,
        pduTimeout: this.config.dimse.pduTimeoutMs,
        securityOptions: remote.tls,
      });
    });
  }
}

/** PS3.18 F.2.3.1: IS and DS values are JSON numbers (toDicomJson keeps the wire's strings). */
function numbersAsNumbers(json: Record<string, { vr: string; Value?: unknown[] }>): Record<string, unknown> {
  for (const element of Object.values(json)) {
    if ((element.vr === 'IS' || element.vr === 'DS') && element.Value) element.Value = element.Value.map((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v));
  }
  return json;
}
