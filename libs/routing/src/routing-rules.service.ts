import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { ChangeNotices } from '@pacs/database';
import { PeersService } from '@pacs/dimse';
import { DomainError } from '@pacs/errors';
import { RoutingRule } from './routing-rule';
import { RoutingRulesRepository } from './routing-rules.repository';

/** Announced after every change of rules, so every node (and worker) reloads them. */
const RULES_CHANNEL = 'pacs_routing_rules';

/**
 * Forwarding rules CRUD plus the in-memory snapshot the ingest path matches against (no
 * database access per instance); every node reloads it when one announces a change.
 */
@Injectable()
export class RoutingRulesService implements OnModuleInit {
  private readonly log = new Logger('Routing');
  private snapshot: readonly RoutingRule[] = [];

  constructor(
    private readonly repo: RoutingRulesRepository,
    /** Absent in the CLI, which only queues (it creates no rules). */
    @Optional() private readonly peers?: PeersService,
    @Optional() private readonly notices?: ChangeNotices,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  /** Reloads whenever a node announces a change (the server; a short `pacs import` keeps what it loaded). */
  async followChanges(): Promise<void> {
    await this.notices?.listen(RULES_CHANNEL, () => void this.reload().catch((err: Error) => this.log.warn({ err: err.message }, 'routing rules not reloaded')));
  }

  /** The rules in force on this node (no database access). */
  cached(): readonly RoutingRule[] {
    return this.snapshot;
  }

  list(): Promise<RoutingRule[]> {
    return this.repo.list();
  }

  async get(name: string): Promise<RoutingRule> {
    const rule = (await this.repo.list()).find((r) => r.name === name);
    if (!rule) throw notFound(name);
    return rule;
  }

  async create(rule: RoutingRule): Promise<RoutingRule> {
    this.checkDestinations(rule);
    if (!(await this.repo.insert(rule))) throw new DomainError('routing-rule-exists', `routing rule ${rule.name} already exists`);
    await this.changed();
    return rule;
  }

  async replace(rule: RoutingRule): Promise<RoutingRule> {
    this.checkDestinations(rule);
    if (!(await this.repo.replace(rule))) throw notFound(rule.name);
    await this.changed();
    return rule;
  }

  async remove(name: string): Promise<void> {
    if (!(await this.repo.remove(name))) throw notFound(name);
    await this.changed();
  }

  /** Each destination must be a peer we can send to: a host, a port and the store service. */
  private checkDestinations(rule: RoutingRule): void {
    const peers = this.peers?.cached() ?? [];
    for (const aeTitle of rule.forwardTo) {
      const peer = peers.find((p) => p.aeTitle === aeTitle);
      if (!peer?.host || !peer.port || !peer.services.includes('store')) {
        throw new DomainError('invalid-routing-rule', `forwardTo ${aeTitle}: not a registered peer with a host, a port and the store service (/api/peers)`);
      }
    }
  }

  private async changed(): Promise<void> {
    await this.reload();
    await this.notices?.announce(RULES_CHANNEL).catch((err: Error) => this.log.warn({ err: err.message }, 'routing rule change not announced'));
  }

  private async reload(): Promise<void> {
    this.snapshot = Object.freeze(await this.repo.list());
  }
}

function notFound(name: string): DomainError {
  return new DomainError('routing-rule-not-found', `no routing rule ${name}`);
}
