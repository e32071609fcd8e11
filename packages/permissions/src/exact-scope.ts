import type { DecisionRule } from './decision.js';

/** Exact-string scopes (`execute_commands`' `<plugin_id>:<command>`), plus `all`. */
export class ExactScopeSet {
  private all: DecisionRule | undefined;
  private readonly values = new Map<string, DecisionRule>();
  /** The longest value: a longer target cannot be one, and is not hashed to find out. */
  private longest = -1;

  get isEmpty(): boolean {
    return this.all === undefined && this.values.size === 0;
  }

  addAll(rule: DecisionRule): void {
    this.all ??= rule;
  }

  add(value: string, rule: DecisionRule): void {
    if (this.values.has(value)) return;
    this.values.set(value, rule);
    this.longest = Math.max(this.longest, value.length);
  }

  match(value: string): DecisionRule | undefined {
    if (this.all !== undefined || value.length > this.longest) return this.all;
    return this.values.get(value);
  }
}
