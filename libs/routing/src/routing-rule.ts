/** The attributes a forwarding rule can match; each condition left out matches anything. */
export interface RuleConditions {
  /** Calling AE title of the C-STORE association (instances from STOW-RS or import have none). */
  callingAe?: string;
  /** Modality (0008,0060). */
  modality?: string;
  /** SOP Class UID (0008,0016). */
  sopClassUid?: string;
  /** Study Description (0008,1030). */
  studyDescription?: string;
}

export interface RoutingRule {
  name: string;
  when: RuleConditions;
  /** Destination AE titles: registered peers with a host, a port and the store service. */
  forwardTo: string[];
  delaySeconds: number;
}

/** What a rule looks at in a stored instance. */
export interface RoutedInstance {
  callingAe: string | null;
  modality: string | null;
  sopClassUid: string;
  studyDescription: string | null;
}

/**
 * Single-value matching with the wildcards `*` (any run of characters) and `?` (one character)
 * of PS3.4 C.2.2.2.4, case-sensitive as the standard has it; leading and trailing spaces are not
 * significant. An instance without the attribute matches only `*`.
 */
export function wildcardMatch(pattern: string, value: string | null): boolean {
  const p = pattern.trim();
  if (p === '*') return true;
  if (value === null) return false;
  const source = p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`, 's').test(value.trim());
}

export function ruleMatches(rule: RoutingRule, instance: RoutedInstance): boolean {
  const { when } = rule;
  return (
    (when.callingAe === undefined || wildcardMatch(when.callingAe, instance.callingAe)) &&
    (when.modality === undefined || wildcardMatch(when.modality, instance.modality)) &&
    (when.sopClassUid === undefined || wildcardMatch(when.sopClassUid, instance.sopClassUid)) &&
    (when.studyDescription === undefined || wildcardMatch(when.studyDescription, instance.studyDescription))
  );
}

/** One forward per destination: the destinations the matching rules name, with the rules and the longest delay. */
export interface Destination {
  aeTitle: string;
  rules: string[];
  delaySeconds: number;
}

/**
 * Where an instance goes: each destination of every matching rule once (several rules naming
 * one destination send it once), never back to the AE that sent it (two archives forwarding to
 * each other would loop).
 */
export function destinationsOf(rules: readonly RoutingRule[], instance: RoutedInstance): Destination[] {
  const byAe = new Map<string, Destination>();
  for (const rule of rules) {
    if (!ruleMatches(rule, instance)) continue;
    for (const aeTitle of rule.forwardTo) {
      if (aeTitle === instance.callingAe) continue;
      const known = byAe.get(aeTitle);
      if (known) {
        known.rules.push(rule.name);
        known.delaySeconds = Math.max(known.delaySeconds, rule.delaySeconds);
      } else byAe.set(aeTitle, { aeTitle, rules: [rule.name], delaySeconds: rule.delaySeconds });
    }
  }
  return [...byAe.values()];
}
