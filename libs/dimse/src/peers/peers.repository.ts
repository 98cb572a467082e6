import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { DeidProfileSetting } from '@pacs/config';
import { PeerEntity } from './peer.entity';

/** The fields of a peer that callers set; id and timestamps belong to the database. */
export interface PeerFields {
  aeTitle: string;
  host: string;
  port: number;
  services: string[];
  description: string | null;
  checkHost: boolean;
  moveAssociations: number;
  tls: boolean;
  deidentify: DeidProfileSetting | null;
  deidentifyOnReceive: DeidProfileSetting | null;
}

const UNIQUE_VIOLATION = '23505';

/** All TypeORM calls for peers. */
@Injectable()
export class PeersRepository {
  constructor(@InjectRepository(PeerEntity) private readonly peers: Repository<PeerEntity>) {}

  list(): Promise<PeerEntity[]> {
    return this.peers.find({ order: { aeTitle: 'ASC' } });
  }

  findByAeTitle(aeTitle: string): Promise<PeerEntity | null> {
    return this.peers.findOneBy({ aeTitle });
  }

  /** Inserts the peer; null when the AE title is taken (also when another node won a race). */
  async insert(peer: PeerFields): Promise<PeerEntity | null> {
    try {
      return await this.peers.save(this.peers.create(peer));
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION) return null;
      throw err;
    }
  }

  /** Replaces host, port, services, description, the host check, the move associations, TLS and de-identification; null when no such AE title exists. */
  async replace(peer: PeerFields): Promise<PeerEntity | null> {
    const existing = await this.findByAeTitle(peer.aeTitle);
    if (!existing) return null;
    return this.peers.save(Object.assign(existing, peer));
  }

  /** Returns false when no such AE title exists. */
  async remove(aeTitle: string): Promise<boolean> {
    const result = await this.peers.delete({ aeTitle });
    return (result.affected ?? 0) > 0;
  }

  /** Inserts the peers whose AE title is not there yet, leaving existing rows untouched. */
  async insertMissing(peers: PeerFields[]): Promise<void> {
    if (peers.length === 0) return;
    await this.peers.createQueryBuilder().insert().into(PeerEntity).values(peers).orIgnore().execute();
  }
}
