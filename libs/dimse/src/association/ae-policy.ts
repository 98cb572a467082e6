import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
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
  /** Check every peer's source address against its `host` (PACS_DIMSE_CHECK_HOST). */
  checkHost?: boolean;
}

export interface PeerRights {
  aeTitle: string;
  services: readonly string[];
  /** IP address or name; an association must come from it when the host check applies. */
  host?: string;
  /** Host check for this peer alone, even when the global switch is off. */
  checkHost?: boolean;
}

/** Addresses of a host name (all of them, IPv4 and IPv6). */
export type HostResolver = (host: string) => Promise<string[]>;

const dnsResolver: HostResolver = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

export interface AssociationRequest {
  calledAeTitle: string;
  callingAeTitle: string;
  /** The TCP peer address of the association (for the host check). */
  remoteAddress?: string;
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
  /** AE title → addresses it may associate from, for peers under the host check. */
  private hosts = new Map<string, ReadonlySet<string>>();
  private resolving: Promise<void> = Promise.resolve();
  private readonly ourAeTitle: string;

  constructor(
    private readonly rules: AePolicyRules,
    private readonly resolveHost: HostResolver = dnsResolver,
  ) {
    this.ourAeTitle = normalizeAe(rules.aeTitle);
  }

  /**
   * New peer snapshot. Host names of peers under the host check are resolved now, once per
   * snapshot (PeersService reloads every 30 s), not per association; until a name resolves, or
   * if it does not, associations from that peer are rejected.
   */
  updatePeers(peers: readonly PeerRights[]): void {
    this.rights = new Map(peers.map((p) => [normalizeAe(p.aeTitle), new Set(p.services)]));
    const checked = peers.filter((p) => this.rules.checkHost === true || p.checkHost === true);
    const hosts = new Map<string, ReadonlySet<string>>(checked.map((p) => [normalizeAe(p.aeTitle), new Set<string>()]));
    this.hosts = hosts;
    this.resolving = Promise.all(
      checked.map(async (p) => hosts.set(normalizeAe(p.aeTitle), new Set(await this.addressesOf(p.host ?? '')))),
    ).then(() => undefined);
  }

  /** Resolves when the host names of the last snapshot are resolved (tests, start-up). */
  hostsResolved(): Promise<void> {
    return this.resolving;
  }

  /** Checks in order: called AE, calling AE, source host, association limit (PS3.8 9.3.4). */
  decideAssociation(req: AssociationRequest): AssociationDecision {
    const R = AssociateReject;
    if (normalizeAe(req.calledAeTitle) !== this.ourAeTitle) {
      return { accept: false, result: R.ResultPermanent, source: R.SourceServiceUser, reason: R.ReasonCalledAeNotRecognized, why: 'called AE title not recognized' };
    }
    if (!this.isKnownOrAllowed(req.callingAeTitle)) {
      return { accept: false, result: R.ResultPermanent, source: R.SourceServiceUser, reason: R.ReasonCallingAeNotRecognized, why: 'calling AE title not recognized' };
    }
    if (!this.fromAllowedHost(req.callingAeTitle, req.remoteAddress)) {
      // PS3.8 9.3.4 has no reason for a wrong source address: the AE title is not recognized from there.
      return { accept: false, result: R.ResultPermanent, source: R.SourceServiceUser, reason: R.ReasonCallingAeNotRecognized, why: `calling AE title not recognized from ${req.remoteAddress ?? 'an unknown address'} (host check)` };
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

  private fromAllowedHost(callingAeTitle: string, remoteAddress: string | undefined): boolean {
    const allowed = this.hosts.get(normalizeAe(callingAeTitle));
    if (!allowed) return true;
    return remoteAddress !== undefined && allowed.has(normalizeAddress(remoteAddress));
  }

  private async addressesOf(host: string): Promise<string[]> {
    if (isIP(host)) return [normalizeAddress(host)];
    try {
      return (await this.resolveHost(host)).map(normalizeAddress);
    } catch {
      return [];
    }
  }

  private isKnownOrAllowed(callingAeTitle: string): boolean {
    return this.rules.allowUnknown || this.rights.has(normalizeAe(callingAeTitle));
  }
}

/** Leading and trailing spaces of an AE title are not significant (PS3.5 6.2, AE VR). */
export function normalizeAe(aeTitle: string | undefined): string {
  return (aeTitle ?? '').trim();
}

/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d. */
export function normalizeAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}
