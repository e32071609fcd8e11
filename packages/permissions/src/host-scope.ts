import type { DecisionRule } from './decision.js';
import { isIpHost } from './http-host.js';

const DOT = 0x2e;

/**
 * Host patterns compiled into a map and the sorted set of their lengths: a host matches a pattern it
 * equals or is a subdomain of. A pattern of length n can only match the last n characters of the host
 * after a dot, so a match looks at each distinct length once (`a.b.example.com` tries `b.example.com`,
 * then `example.com`, then `com` only if patterns of those lengths exist). A suffix is always cut at a
 * dot, so `notexample.com` never reaches `example.com`; IP literals match only exactly (`10.0.0.1` is not
 * a "subdomain" of `0.0.1`). The longest matching pattern wins.
 */
export class HostScopeSet {
  private all: DecisionRule | undefined;
  private readonly hosts = new Map<string, DecisionRule>();
  /** Distinct lengths of the keys of `hosts`, descending. */
  private readonly lengths: number[] = [];

  get isEmpty(): boolean {
    return this.all === undefined && this.hosts.size === 0;
  }

  addAll(rule: DecisionRule): void {
    this.all ??= rule;
  }

  add(host: string, rule: DecisionRule): void {
    if (this.hosts.has(host)) return;
    this.hosts.set(host, rule);
    if (!this.lengths.includes(host.length)) {
      this.lengths.push(host.length);
      this.lengths.sort((a, b) => b - a);
    }
  }

  match(host: string): DecisionRule | undefined {
    if (this.all !== undefined) return this.all;
    const hosts = this.hosts;
    if (hosts.size === 0) return undefined;
    const exact = hosts.get(host);
    if (exact !== undefined || isIpHost(host)) return exact;
    const end = host.length;
    for (const length of this.lengths) {
      if (length >= end || host.charCodeAt(end - length - 1) !== DOT) continue;
      const hit = hosts.get(host.slice(end - length));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}
