import type { DecisionRule } from './decision.js';

/** Exact-string scopes (`execute_commands`' `<plugin_id>:<command>`), plus `all`. */
export class ExactScopeSet {
  private all: DecisionRule | undefined;
  private readonly values = new Map<string, DecisionRule>();

  get isEmpty(): boolean {
    return this.all === undefined && this.values.size === 0;
  }

  addAll(rule: DecisionRule): void {
    this.all ??= rule;
  }

  add(value: string, rule: DecisionRule): void {
    if (!this.values.has(value)) this.values.set(value, rule);
  }

  match(value: string): DecisionRule | undefined {
    return this.all ?? this.values.get(value);
  }
}
