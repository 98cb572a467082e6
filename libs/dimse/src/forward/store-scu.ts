import { Injectable, Logger } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { RetrieveService, StoredInstance } from '@pacs/index';
import { PeerAddresses, PEER_CONNECT_TIMEOUT_MS } from '../peers/peer-addresses';
import { MoveAssociation } from '../retrieve/move-association';
import { syntaxesByClass } from '../retrieve/retrieve-handler';
import { runRetrieve } from '../retrieve/retrieve-operation';
import { refusalSummary } from '../wire/pdu-guard';

/** What a forward to one destination did to each instance asked for. */
export interface ForwardOutcome {
  /** Answered with Success or a Warning (PS3.4 B.2.3). */
  sent: string[];
  /** Refused by the destination, or not sent because the association ended. */
  failed: string[];
  /** No longer stored (deleted or rejected since): nothing to send. */
  missing: string[];
  /** Studies of the instances sent or failed, for the audit trail. */
  studyUids: string[];
}

/** The destination is unknown or could not be associated with: nothing was sent. */
export class ForwardUnreachable extends Error {}

/**
 * Our C-STORE SCU to a registered peer (PS3.4 B.2), for forwarding: the instances, in the order
 * given, over one association, each as stored when the peer accepts its transfer syntax and
 * otherwise transcoded to one it accepts (uncompressed first) — the association and sending
 * of C-MOVE (MoveAssociation, runRetrieve), without a move request.
 */
@Injectable()
export class StoreScu {
  private readonly log = new Logger('StoreScu');

  constructor(
    private readonly peers: PeerAddresses,
    private readonly retrieve: RetrieveService,
    private readonly config: PacsConfig,
  ) {}

  async send(aeTitle: string, sopInstanceUids: string[]): Promise<ForwardOutcome> {
    const destination = this.peers.find(aeTitle);
    if (!destination) throw new ForwardUnreachable(`${aeTitle} is no registered peer with a host and port`);
    const found = await this.retrieve.findForRetrieve({ sopInstanceUids });
    const byUid = new Map(found.map((i) => [i.sopInstanceUid, i]));
    const instances = sopInstanceUids.flatMap((uid) => byUid.get(uid) ?? []);
    const missing = sopInstanceUids.filter((uid) => !byUid.has(uid));
    if (instances.length === 0) return { sent: [], failed: [], missing, studyUids: [] };
    let association: MoveAssociation;
    try {
      association = await MoveAssociation.open(destination, this.config.dimse.aeTitle, syntaxesByClass(instances), {
        connectTimeoutMs: PEER_CONNECT_TIMEOUT_MS,
        pduTimeoutMs: this.config.dimse.pduTimeoutMs,
        aborted: (refusal) => this.log.warn({ destinationAe: aeTitle, why: refusal.why }, `forward association aborted: ${refusalSummary(refusal)}`),
      });
    } catch (err) {
      throw new ForwardUnreachable(`cannot associate with ${aeTitle}: ${(err as Error).message}`);
    }
    try {
      const outcome = await runRetrieve({
        instances,
        channels: [Promise.resolve(association)],
        load: (instance, target) => this.retrieve.load(instance, target),
        signal: new AbortController().signal,
        onProgress: () => undefined,
      });
      const failed = new Set(outcome.failedSopInstanceUids);
      return { sent: instances.filter((i) => !failed.has(i.sopInstanceUid)).map((i) => i.sopInstanceUid), failed: [...failed], missing, studyUids: studiesOf(instances) };
    } finally {
      await association.release();
    }
  }
}

function studiesOf(instances: StoredInstance[]): string[] {
  return [...new Set(instances.map((i) => i.studyUid))];
}
