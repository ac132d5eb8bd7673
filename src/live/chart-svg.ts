import { LABEL_FONT_PX, LINE_PX, stateLines } from "./chart-graph.js";
import type { PlacedChart, PlacedState } from "./chart-layout.js";

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const round = (value: number) => Math.round(value * 10) / 10;

function stateGroup(chart: PlacedChart, state: PlacedState): string {
  const info = chart.graph.states.get(state.key);
  if (!info) return "";
  const lines = stateLines(info);
  const leaf = info.kind === "atomic" || info.kind === "final" || info.kind === "history";
  const classes = [
    "state",
    `state-${info.kind}`,
    info.region ? "state-region" : "",
    info.initial ? "state-initial" : "",
  ]
    .filter(Boolean)
    .join(" ");
  const x = round(state.x);
  const y = round(state.y);
  const parts = [
    `<g class="${classes}" data-state="${escapeXml(state.key)}" data-active="false">`,
    `<title>${escapeXml(state.key)}</title>`,
    `<rect x="${x}" y="${y}" width="${round(state.width)}" height="${round(state.height)}" rx="6"/>`,
  ];
  if (info.kind === "final") {
    parts.push(
      `<rect class="final-ring" x="${x + 3}" y="${y + 3}" width="${round(state.width - 6)}" height="${round(state.height - 6)}" rx="4"/>`,
    );
  }
  const top = leaf ? y + (state.height - lines.length * LINE_PX) / 2 : y + 6;
  lines.forEach((line, index) => {
    const anchor = leaf ? `x="${round(x + state.width / 2)}" text-anchor="middle"` : `x="${x + 10}"`;
    const kind = index === 0 ? "state-name" : "state-invoke";
    parts.push(
      `<text class="${kind}" ${anchor} y="${round(top + (index + 1) * LINE_PX - 4)}">${escapeXml(line)}</text>`,
    );
  });
  parts.push("</g>");
  return parts.join("");
}

/**
 * Draws a placed chart: one `<g data-state data-active>` per state (parents before children, so
 * nested boxes paint over their parent), then the transitions with their event labels. The page
 * lights states by flipping `data-active`; the layout never changes after this.
 */
export function renderChartSvg(chart: PlacedChart): string {
  const width = Math.ceil(chart.width);
  const height = Math.ceil(chart.height);
  const markerId = `arrow-${chart.graph.machineId}`;
  const states = chart.states.map((state) => stateGroup(chart, state)).join("\n");
  const edges = chart.edges
    .filter((edge) => edge.points.length >= 2)
    .map((edge) => {
      const info = chart.graph.edges.get(edge.id);
      const path = edge.points.map(
        (point, index) => `${index ? "L" : "M"}${round(point.x)} ${round(point.y)}`,
      );
      const label = edge.label
        ? `<text class="edge-label" x="${round(edge.label.x)}" y="${round(edge.label.y + edge.label.height - 4)}">${escapeXml(edge.label.text)}</text>`
        : "";
      return `<g class="edge" data-source="${escapeXml(info?.source ?? "")}" data-target="${escapeXml(info?.target ?? "")}"><path d="${path.join(" ")}" marker-end="url(#${markerId})"/>${label}</g>`;
    })
    .join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-machine="${escapeXml(chart.graph.machineId)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-size="${LABEL_FONT_PX}">`,
    `<defs><marker id="${markerId}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>`,
    states,
    edges,
    "</svg>",
  ].join("\n");
}
