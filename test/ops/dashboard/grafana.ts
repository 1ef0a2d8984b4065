/**
 * A small builder for Grafana dashboard JSON (schema v1, schemaVersion 42). It exists so the
 * conventions every panel must follow (datasource variable, unit, description, job/instance
 * matchers) are written once; the committed `grafana/dashboards/*.json` is its output.
 */

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export type PanelType = 'timeseries' | 'stat' | 'table' | 'heatmap' | 'state-timeline' | 'bargauge';

export interface Target {
  expr: string;
  legendFormat?: string;
  /** Table panels and "over the selected range" stats want one value per series, not a range. */
  instant?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
}

export interface PanelSpec {
  type: PanelType;
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  /** Width in grid units (24 is the full width). */
  w: number;
  h?: number;
  decimals?: number;
  mappings?: unknown[];
  thresholds?: Array<{ color: string; value: number | null }>;
  options?: Record<string, unknown>;
  custom?: Record<string, unknown>;
  transformations?: unknown[];
  overrides?: unknown[];
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface QueryVariableSpec {
  name: string;
  label: string;
  query: string;
  allValue: string;
}

const GRID_WIDTH = 24;
const DEFAULT_HEIGHT = 8;

export function datasourceVariable(): Record<string, unknown> {
  return {
    current: {},
    hide: 0,
    includeAll: false,
    label: 'Data source',
    multi: false,
    name: 'datasource',
    options: [],
    query: 'prometheus',
    refresh: 1,
    regex: '',
    type: 'datasource',
  };
}

export function queryVariable(spec: QueryVariableSpec): Record<string, unknown> {
  return {
    allValue: spec.allValue,
    current: {},
    datasource: DATASOURCE,
    definition: spec.query,
    hide: 0,
    includeAll: true,
    label: spec.label,
    multi: true,
    name: spec.name,
    options: [],
    query: { qryType: 1, query: spec.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    // 2 = refresh on time range change: accounts and currencies appear as payments arrive.
    refresh: 2,
    regex: '',
    sort: 1,
    type: 'query',
  };
}

/** Lays rows out top to bottom and their panels left to right, wrapping at the grid width. */
export function layoutPanels(rows: readonly RowSpec[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    out.push({
      collapsed: false,
      gridPos: { h: 1, w: GRID_WIDTH, x: 0, y },
      id: id++,
      panels: [],
      title: row.title,
      type: 'row',
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const spec of row.panels) {
      const h = spec.h ?? DEFAULT_HEIGHT;
      if (x + spec.w > GRID_WIDTH) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      out.push(panel(spec, id++, { h, w: spec.w, x, y }));
      x += spec.w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return out;
}

function panel(spec: PanelSpec, id: number, gridPos: Record<string, number>): Record<string, unknown> {
  const defaults: Record<string, unknown> = { unit: spec.unit };
  if (spec.decimals !== undefined) defaults.decimals = spec.decimals;
  if (spec.mappings) defaults.mappings = spec.mappings;
  defaults.thresholds = {
    mode: 'absolute',
    steps: spec.thresholds ?? [{ color: 'green', value: null }],
  };
  if (spec.custom) defaults.custom = spec.custom;
  const result: Record<string, unknown> = {
    datasource: DATASOURCE,
    description: spec.description,
    fieldConfig: { defaults, overrides: spec.overrides ?? [] },
    gridPos,
    id,
    options: spec.options ?? defaultOptions(spec.type),
    targets: spec.targets.map((t, i) => target(t, i)),
    title: spec.title,
    type: spec.type,
  };
  if (spec.transformations) result.transformations = spec.transformations;
  return result;
}

function target(t: Target, index: number): Record<string, unknown> {
  return {
    datasource: DATASOURCE,
    editorMode: 'code',
    expr: t.expr,
    format: t.format ?? (t.instant ? 'table' : 'time_series'),
    instant: t.instant ?? false,
    legendFormat: t.legendFormat ?? '__auto',
    range: !t.instant,
    refId: String.fromCharCode(65 + index),
  };
}

function defaultOptions(type: PanelType): Record<string, unknown> {
  switch (type) {
    case 'timeseries':
      return {
        legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
    case 'stat':
      return {
        colorMode: 'value',
        graphMode: 'area',
        justifyMode: 'auto',
        orientation: 'auto',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        textMode: 'auto',
      };
    case 'table':
      return { cellHeight: 'sm', footer: { show: false }, showHeader: true };
    case 'bargauge':
      return {
        displayMode: 'gradient',
        orientation: 'horizontal',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        showUnfilled: true,
      };
    case 'state-timeline':
      return {
        alignValue: 'left',
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        mergeValues: true,
        rowHeight: 0.9,
        showValue: 'auto',
        tooltip: { mode: 'single', sort: 'none' },
      };
    case 'heatmap':
      return {};
  }
}

/** A table over instant queries: hides the time column and names the value column. */
export function tableTransformations(valueName: string, hide: readonly string[] = []): unknown[] {
  const excludeByName: Record<string, boolean> = { Time: true, __name__: true };
  for (const name of hide) excludeByName[name] = true;
  return [
    {
      id: 'organize',
      options: { excludeByName, indexByName: {}, renameByName: { Value: valueName } },
    },
  ];
}
