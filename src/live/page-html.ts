import type { MachineChart } from "./chart-layout.js";
import { escapeXml } from "./chart-svg.js";
import { PAGE_SCRIPT } from "./page-script.js";

const PAGE_STYLE = `
:root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --dim:#6b7385; --line:#d5d9e2; --lit:#1f7a4d; --lit-bg:#dff5e8;
  --warn:#a35b00; --bad:#b3261e; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font-size:14px; }
header { display:flex; align-items:baseline; gap:16px; padding:12px 20px; background:#1d2330; color:#fff; }
header h1 { font-size:18px; margin:0; font-weight:600; }
header .connection { margin-left:auto; font-size:12px; padding:2px 8px; border-radius:10px; background:#6b7385; }
header .connection[data-connected="true"] { background:var(--lit); }
main { display:grid; grid-template-columns: 340px minmax(0,1fr); gap:16px; padding:16px 20px; }
aside { display:flex; flex-direction:column; gap:16px; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
section.card h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--dim); margin:0 0 8px; }
dl { display:grid; grid-template-columns: 92px minmax(0,1fr); gap:4px 8px; margin:0; }
dt { color:var(--dim); } dd { margin:0; overflow-wrap:anywhere; font-variant-numeric: tabular-nums; }
#lease-state { font-weight:600; color:var(--lit); }
ol.log { list-style:none; margin:0; padding:0; max-height:320px; overflow:auto; font-size:12px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
ol.log li { padding:2px 0; border-bottom:1px dotted var(--line); display:flex; gap:6px; }
ol.log time { color:var(--dim); flex:none; } ol.log .actor { color:#3559b5; flex:none; }
ol.log li.empty { color:var(--dim); border:none; }
ol.log .text { flex:1; min-width:0; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.severity-critical, .severity-high { color:var(--bad); font-weight:600; } .severity-medium { color:var(--warn); }
.charts { display:flex; flex-direction:column; gap:16px; min-width:0; }
.chart-card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 12px; min-width:0; }
.chart-card h2 { display:flex; gap:12px; align-items:baseline; font-size:15px; margin:0 0 8px; }
.chart-card h2 .current { font-weight:400; font-size:13px; color:var(--lit); font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.chart-card h2 button { margin-left:auto; font-size:12px; }
.chart-frame { overflow:auto; max-height:78vh; border-top:1px solid var(--line); padding-top:6px; }
.chart-frame[data-fit="true"] svg { max-width:100%; height:auto; }
svg.chart { font-family: "DejaVu Sans Mono", ui-monospace, monospace; display:block; }
svg.chart .state > rect { fill:#fff; stroke:#9aa3b5; stroke-width:1.2; }
svg.chart .state-compound > rect, svg.chart .state-parallel > rect { fill:#f3f5f9; }
svg.chart .state-region > rect { stroke-dasharray:5 4; }
svg.chart .state-final > rect.final-ring { fill:none; }
svg.chart .state-initial > rect { stroke-width:2; }
svg.chart .state text { fill:var(--ink); }
svg.chart .state .state-invoke { fill:var(--dim); }
svg.chart .state[data-active="true"] > rect { fill:var(--lit-bg); stroke:var(--lit); stroke-width:2.5; }
svg.chart .state-compound[data-active="true"] > rect, svg.chart .state-parallel[data-active="true"] > rect { fill:#f0faf4; }
svg.chart .state[data-active="true"] > .state-name { fill:var(--lit); font-weight:700; }
svg.chart .edge path { fill:none; stroke:#8f98aa; stroke-width:1; }
svg.chart .edge .edge-label { fill:#4d5566; font-size:10px; }
svg.chart marker path { fill:#8f98aa; }
svg.chart .edge[data-taken="true"] path { stroke:var(--lit); stroke-width:2.5; }
svg.chart .edge[data-taken="true"] .edge-label { fill:var(--lit); font-weight:700; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } }
`;

function chartCard(chart: MachineChart): string {
  const id = escapeXml(chart.machineId);
  return `<div class="chart-card" id="chart-${id}">
<h2>${id} <span class="current" data-current-of="${id}">not started</span><button type="button" data-zoom-of="${id}">actual size</button></h2>
<div class="chart-frame" data-fit="true">${chart.svg}</div>
</div>`;
}

/** The whole page: cards on the left, one chart per machine on the right, the live script inline. */
export function renderPageHtml(charts: readonly MachineChart[], title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>${escapeXml(title)}</h1><span id="agent-state"></span><span class="connection" id="connection" data-connected="false">connecting…</span></header>
<main>
<aside>
<section class="card" id="lease-card"><h2>Lease</h2><dl>
<dt>state</dt><dd id="lease-state">unknown</dd>
<dt>provider</dt><dd id="lease-provider">-</dd>
<dt>dseq</dt><dd id="lease-dseq">-</dd>
<dt>runway</dt><dd id="lease-runway">-</dd>
<dt>price</dt><dd id="lease-price">-</dd>
<dt>uris</dt><dd id="lease-uris">-</dd>
</dl></section>
<section class="card" id="balances-card"><h2>Balances</h2><dl>
<dt>AKT</dt><dd id="balance-akt">-</dd>
<dt>ACT</dt><dd id="balance-act">-</dd>
<dt>ACT minting</dt><dd id="balance-minting">-</dd>
<dt>CRO</dt><dd id="balance-cro">-</dd>
</dl></section>
<section class="card" id="alerts-card"><h2>Alerts</h2><ol class="log" id="alerts"><li class="empty">none</li></ol></section>
<section class="card" id="events-card"><h2>Recent events</h2><ol class="log" id="events"><li class="empty">none yet</li></ol></section>
</aside>
<div class="charts">
${charts.map(chartCard).join("\n")}
</div>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
