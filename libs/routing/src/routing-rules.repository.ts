import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { RoutingRule, RuleConditions } from './routing-rule';

/** All SQL of the `routing_rules` table. */
@Injectable()
export class RoutingRulesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(): Promise<RoutingRule[]> {
    const rows = (await this.dataSource.query('SELECT name, match, forward_to, delay_seconds FROM routing_rules ORDER BY name')) as Record<string, unknown>[];
    return rows.map(toRule);
  }

  /** False when a rule of that name exists. */
  async insert(rule: RoutingRule): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO routing_rules (name, match, forward_to, delay_seconds) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING name`,
      [rule.name, JSON.stringify(rule.when), rule.forwardTo, rule.delaySeconds],
    )) as unknown[];
    return rows.length > 0;
  }

  /** False when there is no rule of that name. */
  async replace(rule: RoutingRule): Promise<boolean> {
    const [, count] = (await this.dataSource.query(
      `UPDATE routing_rules SET match = $2, forward_to = $3, delay_seconds = $4, updated_at = now() WHERE name = $1`,
      [rule.name, JSON.stringify(rule.when), rule.forwardTo, rule.delaySeconds],
    )) as [unknown, number];
    return count > 0;
  }

  async remove(name: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query('DELETE FROM routing_rules WHERE name = $1', [name])) as [unknown, number];
    return count > 0;
  }
}

function toRule(r: Record<string, unknown>): RoutingRule {
  return { name: r.name as string, when: r.match as RuleConditions, forwardTo: r.forward_to as string[], delaySeconds: r.delay_seconds as number };
}
