import type { DimseAuditContext } from '@pacs/audit';
import type { Dataset } from 'dcmjs-dimse';
import { AuditedOperation, auditOperation } from './operation-audit';
import type { ScpServices } from './scp-services';

/** Who is on the other end of an association. */
type Caller = () => { callingAe: string; remoteAddress: string | undefined };

/**
 * The audit trail of one association (PS3.15 A.5): who its events name, and the rule that an
 * operation's final response goes out only once its event is recorded. A failure to record is
 * logged, never sent to the peer as anything but the response it was getting.
 */
export class AssociationAudit {
  constructor(
    private readonly services: Pick<ScpServices, 'audit' | 'logger'>,
    private readonly caller: Caller,
  ) {}

  /** Who the audit events of this association name: the calling AE and its address. */
  context(calledAe?: string): DimseAuditContext {
    const { callingAe, remoteAddress } = this.caller();
    return { callingAe, calledAe, remoteAddress };
  }

  /** Sends the final response of an operation once its audit event is recorded (`send` may decline). */
  answer<R extends { getStatus(): number }>(
    work: Promise<R>,
    operation: AuditedOperation,
    sopClassUid: string,
    request: { getDataset(): Dataset | undefined },
    send: (response: R) => void,
  ): void {
    void work
      .then(async (response) => {
        const identifier = request.getDataset()?.getElements();
        await auditOperation(this.services.audit, this.context(), operation, sopClassUid, response.getStatus(), identifier).catch((err) => this.failed(err));
        send(response);
      })
      .catch((err) => this.services.logger.error({ msg: `${operation} response not sent`, callingAe: this.caller().callingAe, err: String(err) }));
  }

  /**
   * An association event does not hold up the A-ASSOCIATE-AC or -RJ: a refusal gives nothing
   * away, and what an accepted peer does is audited operation by operation. A failure is logged.
   */
  inBackground(event: Promise<unknown>): void {
    event.catch((err) => this.failed(err));
  }

  failed(err: unknown): void {
    this.services.logger.error({ msg: 'audit event not recorded', callingAe: this.caller().callingAe, err: String(err) });
  }
}
