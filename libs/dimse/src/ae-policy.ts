import type { DimseService } from '@pacs/config';

/**
 * A-ASSOCIATE-RJ parameters, PS3.8 9.3.4 Table 9-21:
 * Result 1 rejected-permanent, 2 rejected-transient.
 * Source 1 DICOM UL service-user, 2 service-provider (ACSE related function),
 * 3 service-provider (Presentation related function).
 * Reason for source 1: 1 no-reason-given, 2 application-context-name-not-supported,
 * 3 calling-AE-title-not-recognized, 7 called-AE-title-not-recognized;
 * for source 2: 1 no-reason-given, 2 protocol-version-not-supported;
 * for source 3: 1 temporary-congestion, 2 local-limit-exceeded.
 */
export const AssociateReject = {
  ResultPermanent: 1,
  ResultTransient: 2,
  SourceServiceUser: 1,
  SourceServiceProviderAcse: 2,
  SourceServiceProviderPresentation: 3,
  ReasonCallingAeNotRecognized: 3,
  ReasonCalledAeNotRecognized: 7,
  ReasonLocalLimitExceeded: 2,
} as const;

export interface AePolicyRules {
  /** Our AE title; the only called AE we answer to. */
  aeTitle: string;
  /** Accept calling AEs that are not peers, with every service (never in production). */
  allowUnknown: boolean;
  /** Concurrent associations; the next one is rejected as transient. */
  maxAssociations: number;
}

export interface PeerRights {
  aeTitle: string;
  services: readonly string[];
}

export interface AssociationRequest {
  calledAeTitle: string;
  callingAeTitle: string;
  /** Associations already accepted and still open, not counting this one. */
  liveAssociations: number;
}

export type AssociationDecision =
  | { accept: true }
  | { accept: false; result: number; source: number; reason: number; why: string };

/**
 * Who may associate and which services they may use. Decisions use an in-memory copy of the
 * peers (refreshed by PeersService through `updatePeers`), never the database.
 */
export class AePolicy {
  private rights = new Map<string, ReadonlySet<string>>();
  private readonly ourAeTitle: string;

  constructor(private readonly rules: AePolicyRules) {
    this.ourAeTitle = normalizeAe(rules.aeTitle);
  }

  updatePeers(peers: readonly PeerRights[]): void {
    this.rights = new Map(peers.map((p) => [normalizeAe(p.aeTitle), new Set(p.services)]));
  }

  /** Checks in order: called AE, calling AE, association limit (PS3.8 9.3.4). */
  decideAssociation(req: AssociationRequest): AssociationDecision {
    const R = AssociateReject;
    if (normalizeAe(req.calledAeTitle) !== this.ourAeTitle) {
      return { accept: false, result: R.ResultPermanent, source: R.SourceServiceUser, reason: R.ReasonCalledAeNotRecognized, why: 'called AE title not recognized' };
    }
    if (!this.isKnownOrAllowed(req.callingAeTitle)) {
      return { accept: false, result: R.ResultPermanent, source: R.SourceServiceUser, reason: R.ReasonCallingAeNotRecognized, why: 'calling AE title not recognized' };
    }
    if (req.liveAssociations >= this.rules.maxAssociations) {
      return {
        accept: false,
        result: R.ResultTransient,
        source: R.SourceServiceProviderPresentation,
        reason: R.ReasonLocalLimitExceeded,
        why: `association limit ${this.rules.maxAssociations} reached`,
      };
    }
    return { accept: true };
  }

  /** Whether the calling AE may use a service on an accepted association. */
  mayUse(callingAeTitle: string, service: DimseService): boolean {
    const services = this.rights.get(normalizeAe(callingAeTitle));
    if (services) return services.has(service);
    return this.rules.allowUnknown;
  }

  private isKnownOrAllowed(callingAeTitle: string): boolean {
    return this.rules.allowUnknown || this.rights.has(normalizeAe(callingAeTitle));
  }
}

/** Leading and trailing spaces of an AE title are not significant (PS3.5 6.2, AE VR). */
export function normalizeAe(aeTitle: string | undefined): string {
  return (aeTitle ?? '').trim();
}
