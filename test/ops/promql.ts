import { parser } from '@prometheus-io/lezer-promql';

/** One `metric{matchers}` occurrence in a PromQL expression. */
export interface Selector {
  readonly text: string;
  /** The metric name, or '' when the selector only has `{__name__=...}` style matchers. */
  readonly metric: string;
  readonly matchers: readonly Matcher[];
  /** The range of the enclosing `[...]`, when the selector is a range vector. */
  readonly range: string | null;
  /** The function whose argument this (range) selector is, e.g. `rate`; null when none. */
  readonly enclosingFunction: string | null;
}

export interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
}

export interface ParsedPromql {
  readonly errors: readonly string[];
  readonly selectors: readonly Selector[];
  readonly functions: readonly string[];
}

/**
 * Grafana's global macros and our variables, replaced the way dashboard-linter does before parsing
 * (the parser rejects `$__rate_interval`). Variables become `.+`, the dashboard's "All" value.
 */
export const GRAFANA_SUBSTITUTIONS: Readonly<Record<string, string>> = {
  __rate_interval: '5m',
  __interval: '1m',
  __range: '1h',
  job: '.+',
  instance: '.+',
  account: '.+',
  currency: '.+',
};

/** Replaces `$var`, `${var}` and `[[var]]` references; an unknown variable stays (and fails to parse). */
export function substituteGrafanaVariables(
  expr: string,
  values: Readonly<Record<string, string>> = GRAFANA_SUBSTITUTIONS,
): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    return values[name] ?? whole;
  });
}

export function parsePromql(expr: string): ParsedPromql {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const functions: string[] = [];
  const text = (from: number, to: number) => expr.slice(from, to);
  const cursor = tree.cursor();
  do {
    const node = cursor.node;
    if (node.type.isError) {
      errors.push(`syntax error at offset ${node.from}: ${JSON.stringify(text(node.from, node.to + 10))}`);
    } else if (node.name === 'FunctionIdentifier') {
      functions.push(text(node.from, node.to));
    } else if (node.name === 'VectorSelector') {
      const identifier = node.getChild('Identifier');
      const matchers: Matcher[] = [];
      for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (!label || !op || !value) continue;
        matchers.push({
          label: text(label.from, label.to),
          op: text(op.from, op.to),
          value: JSON.parse(text(value.from, value.to).replace(/^'|'$/g, '"')) as string,
        });
      }
      const matrix = node.parent?.name === 'MatrixSelector' ? node.parent : null;
      const rangeNode = matrix?.getChild('DurationExpr') ?? null;
      // A range selector's enclosing call is MatrixSelector -> FunctionCallBody -> FunctionCall.
      const call = matrix?.parent?.name === 'FunctionCallBody' ? matrix.parent.parent : null;
      const callName = call?.getChild('FunctionIdentifier');
      selectors.push({
        text: text((matrix ?? node).from, (matrix ?? node).to),
        metric: identifier ? text(identifier.from, identifier.to) : '',
        matchers,
        range: rangeNode ? text(rangeNode.from, rangeNode.to) : null,
        enclosingFunction: callName ? text(callName.from, callName.to) : null,
      });
    }
  } while (cursor.next());
  return { errors, selectors, functions };
}

/** The exposition names a query may use for a metric family (histograms expose three series). */
export function seriesNamesOf(family: { name: string; type: string }): string[] {
  if (family.type === 'histogram') {
    return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`];
  }
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`];
  return [family.name];
}
