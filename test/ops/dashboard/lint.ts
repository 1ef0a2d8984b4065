import { parsePromql, type Selector, substituteGrafanaVariables } from '../promql.js';
import { DATASOURCE } from './grafana.js';

/**
 * The grafana/dashboard-linter rules that apply to a Prometheus dashboard (lint/rule_*.go), ported
 * because the Go linter cannot be installed here. Each problem names its rule, as the linter does.
 */

type Json = Record<string, unknown>;

export interface LintProblem {
  readonly rule: string;
  readonly message: string;
}

// Grafana unit ids (packages/grafana-data/src/valueFormats/categories.ts), the categories a payments
// dashboard can use; the linter's list has the rest (energy, radiation, ...).
// biome-ignore format: a table
const VALID_UNITS = new Set([
  'none', 'string', 'short', 'percent', 'percentunit', 'sci', 'locale',
  'currencyUSD', 'currencyEUR', 'currencyGBP', 'currencyBTC',
  'bytes', 'decbytes',
  'dateTimeAsIso', 'dateTimeAsLocal', 'dateTimeFromNow',
  'hertz', 'ns', 'µs', 'ms', 's', 'm', 'h', 'd', 'dtdurationms', 'dtdurations', 'dthms', 'dtdhms',
  'cps', 'ops', 'reqps', 'rps', 'wps', 'iops', 'cpm', 'opm', 'rpm', 'wpm',
  'bool', 'bool_yes_no', 'bool_on_off',
]);

/** Distinctive durations so the rate-interval rule can tell the macros apart after substitution. */
const LINT_SUBSTITUTIONS: Record<string, string> = {
  __rate_interval: '11m11s',
  __range: '22h22m',
  __interval: '33s',
  job: '.+',
  instance: '.+',
  account: '.+',
  currency: '.+',
};
const RATE_INTERVAL = LINT_SUBSTITUTIONS.__rate_interval;
const RANGE = LINT_SUBSTITUTIONS.__range;

export interface DashboardTarget {
  readonly panel: string;
  readonly expr: string;
  readonly datasource: unknown;
}

export function panelsOf(dashboard: Json): Json[] {
  const panels = (dashboard.panels ?? []) as Json[];
  return panels.flatMap((p) => [p, ...((p.panels ?? []) as Json[])]).filter((p) => p.type !== 'row');
}

export function targetsOf(dashboard: Json): DashboardTarget[] {
  return panelsOf(dashboard).flatMap((p) =>
    ((p.targets ?? []) as Json[]).map((t) => ({
      panel: String(p.title),
      expr: String(t.expr ?? ''),
      datasource: t.datasource,
    })),
  );
}

export function variablesOf(dashboard: Json): Json[] {
  return ((dashboard.templating as Json | undefined)?.list ?? []) as Json[];
}

export function lintDashboard(dashboard: Json): LintProblem[] {
  return [
    ...lintTemplates(dashboard),
    ...panelsOf(dashboard).flatMap(lintPanel),
    ...targetsOf(dashboard).flatMap(lintTarget),
  ];
}

function isDatasourceVariableRef(datasource: unknown): boolean {
  const ds = datasource as Json | undefined;
  return ds?.type === 'prometheus' && (ds.uid === DATASOURCE.uid || ds.uid === '$datasource');
}

function lintTemplates(dashboard: Json): LintProblem[] {
  const problems: LintProblem[] = [];
  const vars = variablesOf(dashboard);
  const ds = vars.find((v) => v.name === 'datasource');
  if (ds?.type !== 'datasource' || ds.query !== 'prometheus' || ds.label !== 'Data source') {
    problems.push({
      rule: 'template-datasource-rule',
      message: 'needs a variable "datasource" of type datasource, query prometheus, label "Data source"',
    });
  }
  for (const name of ['job', 'instance']) {
    const v = vars.find((x) => x.name === name);
    const rule = `template-${name}-rule`;
    if (!v) {
      problems.push({ rule, message: `is missing the ${name} template` });
      continue;
    }
    const label = name[0]!.toUpperCase() + name.slice(1);
    if (!isDatasourceVariableRef(v.datasource))
      problems.push({ rule, message: `${name} must use $datasource` });
    if (v.type !== 'query') problems.push({ rule, message: `${name} must be a query variable` });
    if (v.label !== label) problems.push({ rule, message: `${name} must be labelled ${label}` });
    if (v.multi !== true) problems.push({ rule, message: `${name} must be multi-select` });
    if (v.allValue !== '.+') problems.push({ rule, message: `${name} allValue must be .+` });
  }
  for (const v of vars.filter((x) => x.type === 'query')) {
    const query = typeof v.query === 'string' ? v.query : String((v.query as Json).query);
    const inner = /^label_values\((.*),\s*\w+\)$/.exec(query)?.[1];
    const parsed =
      inner === undefined ? null : parsePromql(substituteGrafanaVariables(inner, LINT_SUBSTITUTIONS));
    if (!parsed || parsed.errors.length > 0) {
      problems.push({
        rule: 'template-label-promql-rule',
        message: `${String(v.name)}: invalid query ${query}`,
      });
    }
  }
  return problems;
}

function lintPanel(panel: Json): LintProblem[] {
  const problems: LintProblem[] = [];
  const title = String(panel.title ?? '');
  if (!isDatasourceVariableRef(panel.datasource)) {
    problems.push({ rule: 'panel-datasource-rule', message: `${title}: datasource must be \${datasource}` });
  }
  if (!title.trim() || !String(panel.description ?? '').trim()) {
    problems.push({
      rule: 'panel-title-description-rule',
      message: `${title || panel.id}: needs title and description`,
    });
  }
  const unit = ((panel.fieldConfig as Json | undefined)?.defaults as Json | undefined)?.unit;
  if (typeof unit !== 'string' || !VALID_UNITS.has(unit)) {
    problems.push({ rule: 'panel-units-rule', message: `${title}: no or invalid unit ${String(unit)}` });
  }
  if (((panel.targets ?? []) as unknown[]).length === 0) {
    problems.push({ rule: 'panel-no-targets-rule', message: `${title}: has no targets` });
  }
  return problems;
}

function lintTarget(target: DashboardTarget): LintProblem[] {
  const problems: LintProblem[] = [];
  const at = `${target.panel}: ${target.expr}`;
  if (!isDatasourceVariableRef(target.datasource)) {
    problems.push({ rule: 'target-datasource', message: `${at}: datasource must be \${datasource}` });
  }
  const expr = substituteGrafanaVariables(target.expr, LINT_SUBSTITUTIONS);
  const parsed = parsePromql(expr);
  if (parsed.errors.length > 0 || parsed.selectors.length === 0) {
    problems.push({
      rule: 'target-promql-rule',
      message: `${at}: ${parsed.errors.join('; ') || 'no selector'}`,
    });
    return problems;
  }
  for (const s of parsed.selectors) {
    problems.push(...rateInterval(at, s), ...counterAggregation(at, expr, s));
    for (const label of ['job', 'instance']) {
      if (!target.expr.includes(`${label}=~"$${label}"`) || !hasMatcher(s, label, '=~', '.+')) {
        problems.push({
          rule: `target-${label}-rule`,
          message: `${at}: ${s.text} lacks ${label}=~"$${label}"`,
        });
      }
    }
  }
  return problems;
}

function hasMatcher(s: Selector, label: string, op: string, value: string): boolean {
  return s.matchers.some((m) => m.label === label && m.op === op && m.value === value);
}

function rateInterval(at: string, s: Selector): LintProblem[] {
  if (s.range === null) return [];
  const fn = s.enclosingFunction ?? '';
  const allowed = fn === 'rate' || fn === 'irate' ? [RATE_INTERVAL] : [RATE_INTERVAL, RANGE];
  return allowed.includes(s.range)
    ? []
    : [{ rule: 'target-rate-interval-rule', message: `${at}: ${fn}(${s.text}) should use $__rate_interval` }];
}

/**
 * dashboard-linter's counter-agg rule, plus what it does not know: `resets()`, and the idiom
 * `c - c offset $__range`, the exact amount a counter gained over the dashboard's range.
 */
function counterAggregation(at: string, expr: string, s: Selector): LintProblem[] {
  if (!/_(total|bucket)$/.test(s.metric)) return [];
  if (s.range !== null && ['rate', 'irate', 'increase', 'resets'].includes(s.enclosingFunction ?? ''))
    return [];
  if (s.range === null && expr.includes(`${s.text} offset ${RANGE}`)) return [];
  return [
    {
      rule: 'target-counter-agg-rule',
      message: `${at}: counter ${s.text} is not aggregated with rate/increase`,
    },
  ];
}
