import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { DeidProfileSetting, PacsConfig } from '@pacs/config';
import { ChangeNotices } from '@pacs/database';
import { DomainError } from '@pacs/errors';
import { PeerView } from './dto/peer.dto';
import { PeerEntity } from './peer.entity';
import { PeerFields, PeersRepository } from './peers.repository';

export type PeersListener = (peers: readonly PeerView[]) => void;

/** A peer as written: the host check (off), the move associations (1), TLS (off) and de-identification (none) may be left out. */
export type PeerInput = Omit<PeerView, 'checkHost' | 'moveAssociations' | 'tls' | 'deidentify' | 'deidentifyOnReceive'> & {
  checkHost?: boolean;
  moveAssociations?: number;
  tls?: boolean;
  deidentify?: DeidProfileSetting | null;
  deidentifyOnReceive?: DeidProfileSetting | null;
};

/** Announced after every change of peers, so every node (and worker) reloads its snapshot. */
const PEERS_CHANNEL = 'pacs_peers';

/**
 * Peers CRUD plus an in-memory snapshot of all peers, so the AE policy and C-MOVE destination
 * lookup never touch the database per association. Listeners hear every new snapshot.
 */
@Injectable()
export class PeersService implements OnModuleInit {
  private readonly logger = new Logger(PeersService.name);
  private readonly listeners = new Set<PeersListener>();
  private snapshot: readonly PeerView[] = [];

  constructor(
    private readonly repo: PeersRepository,
    private readonly config: PacsConfig,
    @Optional() private readonly notices?: ChangeNotices,
  ) {}

  /** Seeds config.peers (existing AE titles untouched) and loads the snapshot before any listener starts. */
  async onModuleInit(): Promise<void> {
    const seeds = this.config.peers ?? [];
    await this.repo.insertMissing(seeds.map((s) => toFields({ ...s, description: null })));
    await this.reload();
    await this.notices?.listen(PEERS_CHANNEL, () => void this.reload().catch((err) => this.logger.warn(`peer reload failed: ${String(err)}`)));
  }

  /** Subscribes to snapshots; the listener is called at once with the current one. Returns an unsubscribe. */
  onChange(listener: PeersListener): () => void {
    this.listeners.add(listener);
    listener(this.snapshot);
    return () => this.listeners.delete(listener);
  }

  /** The cached peers (no database access). */
  cached(): readonly PeerView[] {
    return this.snapshot;
  }

  /** The profile what this AE title sends is de-identified with before it is stored, if any (cached). */
  receiveProfile(aeTitle: string): DeidProfileSetting | undefined {
    return this.snapshot.find((p) => p.aeTitle.trim() === aeTitle.trim())?.deidentifyOnReceive ?? undefined;
  }

  async list(): Promise<PeerView[]> {
    return (await this.repo.list()).map(toView);
  }

  async get(aeTitle: string): Promise<PeerView> {
    const peer = await this.repo.findByAeTitle(aeTitle.trim());
    if (!peer) throw notFound(aeTitle);
    return toView(peer);
  }

  async create(fields: PeerInput): Promise<PeerView> {
    const created = await this.repo.insert(toFields(fields));
    if (!created) throw new DomainError('peer-exists', `peer ${fields.aeTitle.trim()} already exists`);
    await this.changed();
    return toView(created);
  }

  /** Replaces an existing peer's settings. */
  async replace(fields: PeerInput): Promise<PeerView> {
    const replaced = await this.repo.replace(toFields(fields));
    if (!replaced) throw notFound(fields.aeTitle);
    await this.changed();
    return toView(replaced);
  }

  /** Changes the settings given (not undefined) of an existing peer; the others keep their values. */
  async update(aeTitle: string, changes: Partial<PeerInput>): Promise<PeerView> {
    const current = await this.get(aeTitle);
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    return this.replace({ ...current, ...given, aeTitle: current.aeTitle });
  }

  /** Creates or replaces; `created` tells which. */
  async upsert(fields: PeerInput): Promise<{ peer: PeerView; created: boolean }> {
    const replaced = await this.repo.replace(toFields(fields));
    if (replaced) {
      await this.changed();
      return { peer: toView(replaced), created: false };
    }
    return { peer: await this.create(fields), created: true };
  }

  async remove(aeTitle: string): Promise<void> {
    if (!(await this.repo.remove(aeTitle.trim()))) throw notFound(aeTitle);
    await this.changed();
  }

  /** This node's snapshot now; the other nodes' when they hear the announcement. */
  private async changed(): Promise<void> {
    await this.reload();
    await this.notices?.announce(PEERS_CHANNEL).catch((err: Error) => this.logger.warn(`peer change not announced: ${err.message}`));
  }

  /** Rebuilds the snapshot from the database and tells the listeners. */
  async reload(): Promise<void> {
    this.snapshot = Object.freeze((await this.repo.list()).map(toView));
    for (const listener of this.listeners) listener(this.snapshot);
  }
}

function notFound(aeTitle: string): DomainError {
  return new DomainError('peer-not-found', `no peer ${aeTitle.trim()}`);
}

// AE titles are compared without leading/trailing spaces (PS3.5 6.2, AE VR: they are not significant).
function toFields(p: PeerInput): PeerFields {
  return {
    aeTitle: p.aeTitle.trim(),
    host: p.host,
    port: p.port,
    services: [...new Set(p.services)],
    description: p.description ?? null,
    checkHost: p.checkHost ?? false,
    moveAssociations: p.moveAssociations ?? 1,
    tls: p.tls ?? false,
    deidentify: profileOf(p.deidentify),
    deidentifyOnReceive: profileOf(p.deidentifyOnReceive),
  };
}

/** A profile with its options listed (none when left out), or null. */
function profileOf(profile: DeidProfileSetting | null | undefined): DeidProfileSetting | null {
  return profile ? { profile: profile.profile, options: [...new Set(profile.options ?? [])] } : null;
}

function toView(p: PeerEntity): PeerView {
  return {
    aeTitle: p.aeTitle,
    host: p.host,
    port: p.port,
    services: p.services,
    description: p.description,
    checkHost: p.checkHost,
    moveAssociations: p.moveAssociations,
    tls: p.tls,
    deidentify: p.deidentify ?? null,
    deidentifyOnReceive: p.deidentifyOnReceive ?? null,
  };
}
