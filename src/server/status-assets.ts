/**
 * The status page's stylesheet, served from `static/status.css` so the Content-Security-Policy needs no
 * 'unsafe-inline'. The look follows the Prometheus landing pages (header colour #e6522c).
 */
export const STATUS_CSS = `
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { background: #e6522c; color: #fff; padding: 0.6em 1em; display: flex; align-items: baseline; gap: 1em; }
header h1 { font-size: 1.4em; margin: 0; }
main { padding: 0 1em 2em; }
h2 { font-size: 1.15em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.4em; }
a { color: #c1411d; }
.links { padding-left: 1.2em; }
.muted { color: #777; }
.mono, .issuer { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
.issuer { color: #777; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: 600; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { text-align: left; vertical-align: top; padding: 0.3em 0.5em; border-bottom: 1px solid #eee; }
th { background: #f6f6f6; }
.nowrap { white-space: nowrap; }
.memo { min-width: 8em; max-width: 20em; overflow-wrap: anywhere; white-space: pre-wrap; }
.badge { display: inline-block; padding: 0 0.5em; border-radius: 0.7em; font-size: 0.85em; color: #fff; background: #888; }
.state-connected, .state-ok { background: #2e7d32; }
.state-connecting { background: #ef6c00; }
.state-disconnected, .state-firing { background: #c62828; }
.partial { background: #6a1b9a; }
.stale { color: #c62828; }
.warnings { padding-left: 1.2em; color: #c62828; font-weight: 600; }
`;
