import type { DecisionRule } from './decision.js';
import { isIpHost } from './http-host.js';

/**
 * Host patterns compiled into a map: a host matches a pattern it equals or is a subdomain of, found by
 * looking up each dot-suffix of the host (`a.b.example.com`, `b.example.com`, `example.com`, `com`).
 * A suffix is always cut at a dot, so `notexample.com` never reaches `example.com`; IP literals match
 * only exactly (`10.0.0.1` is not a "subdomain" of `0.0.1`).
 */
export class HostScopeSet {
  private all: DecisionRule | undefined;
  private readonly hosts = new Map<string, DecisionRule>();

  get isEmpty(): boolean {
    return this.all === undefined && this.hosts.size === 0;
  }

  addAll(rule: DecisionRule): void {
    this.all ??= rule;
  }

  add(host: string, rule: DecisionRule): void {
    if (!this.hosts.has(host)) this.hosts.set(host, rule);
  }

  match(host: string): DecisionRule | undefined {
    if (this.all !== undefined) return this.all;
    const hosts = this.hosts;
    if (hosts.size === 0) return undefined;
    const exact = hosts.get(host);
    if (exact !== undefined || isIpHost(host)) return exact;
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const hit = hosts.get(host.slice(dot + 1));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}
