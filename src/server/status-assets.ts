/**
 * The status page's stylesheet, served from `static/status.css` so the Content-Security-Policy needs no
 * 'unsafe-inline'. The look follows the Prometheus landing pages (header colour #e6522c).
 *
 * Layout: the page itself never scrolls sideways, from a 390 px phone to a desktop. Wide tables scroll
 * inside their own box; below 760 px the main tables become one card per row, each cell labelled from
 * its data-label. Long ids are shortened by the page; any other long text may break anywhere.
 */
export const STATUS_CSS = `
*, *::before, *::after { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #222; font-size: 15px; }
header { background: #e6522c; color: #fff; padding: 0.5em 1em; display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.3em 1.2em; }
header h1 { font-size: 1.3em; margin: 0; }
header nav { display: flex; flex-wrap: wrap; gap: 0.2em 1em; }
header a { color: #fff; }
.jump { display: flex; flex-wrap: wrap; gap: 0.2em 1em; margin: 0.5em 0; font-size: 0.92em; }
.jump p { margin: 0; }
.version { font-size: 0.85em; opacity: 0.9; }
main { padding: 0 1em 2em; }
h2 { font-size: 1.1em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin: 1.2em 0 0.5em; }
a { color: #c1411d; }
.muted { color: #6b6b6b; }
.mono, .id, .issuer { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
.issuer { color: #6b6b6b; }
.name, .wrap, .warnings li, .health p, .health li { overflow-wrap: anywhere; }
.nowrap { white-space: nowrap; }

.health { list-style: none; padding: 0; margin: 0.6em 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(12em, 1fr)); gap: 0.6em; }
.tile { border: 1px solid #ddd; border-left: 0.45em solid #9e9e9e; border-radius: 4px; padding: 0.4em 0.7em; background: #fafafa; min-width: 0; }
.tile-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 0 0.5em; }
.tile h3 { font-size: 0.95em; margin: 0; overflow-wrap: normal; }
.tile p { margin: 0.25em 0 0; }
.tile ul { margin: 0.3em 0 0; padding-left: 1.1em; font-size: 0.88em; }
.level { white-space: nowrap; font-size: 0.8em; font-weight: 700; text-transform: uppercase; color: #fff; background: #9e9e9e; border-radius: 0.6em; padding: 0 0.5em; }
.level-ok { border-left-color: #2e7d32; }
.level-ok .level { background: #2e7d32; }
.level-warning { border-left-color: #ef6c00; background: #fff8f0; }
.level-warning .level { background: #ef6c00; }
.level-critical { border-left-color: #c62828; background: #fdf1f1; }
.level-critical .level { background: #c62828; }
.alert-firing { color: #c62828; font-weight: 600; }
.alert-pending { color: #b45300; }
.warnings { padding-left: 1.2em; color: #c62828; font-weight: 600; }
.warnings:empty { display: none; }

.search { margin: 0.3em 0; display: flex; gap: 0.4em; max-width: 30em; }
.search input { flex: 1; min-width: 0; font: inherit; padding: 0.2em 0.4em; }
.search button { font: inherit; }

dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.2em 1em; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }

.table-box { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 0.93em; }
th, td { text-align: left; vertical-align: top; padding: 0.3em 0.5em; border-bottom: 1px solid #eee; }
thead th { background: #f4f4f4; white-space: nowrap; }
table.assets { width: 100%; max-width: 52em; table-layout: fixed; font-size: 0.92em; }
table.assets tr > :first-child { width: 34%; }
table.assets tr > :nth-child(2) { width: 28%; }
table.assets th, table.assets td { padding: 0.05em 0.8em 0.05em 0; border: 0; background: none; font-weight: normal; }
table.assets thead th { color: #6b6b6b; font-size: 0.9em; }
table.assets td { overflow-wrap: anywhere; }
details summary { cursor: pointer; color: #6b6b6b; font-size: 0.9em; }

.id { white-space: nowrap; }
.copy { display: none; }
.js .copy { display: inline-block; position: relative; width: 1.3em; height: 1.3em; margin-left: 0.2em; padding: 0; vertical-align: -0.25em; border: 1px solid transparent; border-radius: 3px; background: none; color: #888; cursor: pointer; }
.js .copy:hover, .js .copy:focus-visible { border-color: #bbb; color: #222; }
.copy::before, .copy::after { content: ""; position: absolute; width: 0.5em; height: 0.6em; border: 1.5px solid currentColor; border-radius: 1px; }
.copy::before { left: 0.22em; top: 0.18em; }
.copy::after { left: 0.45em; top: 0.4em; background: #fff; }
.copy.copied { color: #2e7d32; border-color: #2e7d32; }
.copy.copy-failed { color: #c62828; border-color: #c62828; }
.offscreen { position: fixed; left: -9999px; top: 0; opacity: 0; }

.trend, .count { white-space: nowrap; }
.spark { width: 7.5em; height: 1.5em; vertical-align: middle; }
.spark path { fill: #e6522c; }
.spark path.base { fill: none; stroke: #bbb; stroke-width: 0.5; }
.memo { max-width: 22em; overflow: hidden; overflow-wrap: anywhere; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; }

.badge { display: inline-block; padding: 0 0.5em; border-radius: 0.7em; font-size: 0.85em; color: #fff; background: #888; }
.state-connected, .state-ok { background: #2e7d32; }
.state-connecting { background: #ef6c00; }
.state-disconnected, .state-firing { background: #c62828; }
.partial { background: #6a1b9a; }
.stale { color: #c62828; }

@media (max-width: 760px) {
  main { padding: 0 0.6em 1.5em; }
  table.cards, table.cards > tbody, table.cards > tbody > tr, table.cards > tbody > tr > td { display: block; }
  table.cards > thead { display: none; }
  table.cards > tbody > tr { border: 1px solid #ddd; border-radius: 4px; margin: 0 0 0.6em; padding: 0.3em 0.6em; }
  table.cards > tbody > tr > td { position: relative; border: 0; padding: 0.2em 0 0.2em 7.3em; min-height: 1.6em; }
  table.cards > tbody > tr > td::before { content: attr(data-label); position: absolute; left: 0; width: 7em; font-weight: 600; color: #555; }
  table.cards > tbody > tr > td[data-label="Assets"] { padding-left: 0; }
  table.cards > tbody > tr > td[data-label="Assets"]::before { position: static; display: block; }
  table.cards > tbody > tr > td[colspan] { padding-left: 0; }
  .memo { max-width: none; }
  table.cards > tbody > tr > td:empty { display: none; }
  .health { grid-template-columns: repeat(auto-fill, minmax(10.5em, 1fr)); gap: 0.4em; font-size: 0.92em; }
  table.assets, table.assets > thead, table.assets > tbody { display: block; }
  table.assets tr { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); column-gap: 0.8em; }
  table.assets tr > :first-child, table.assets tr > :nth-child(2) { width: auto; }
  table.assets tr > :first-child { grid-column: 1 / -1; }
  table.assets > tbody > tr { border-top: 1px solid #eee; padding: 0.1em 0; }
}
`;
