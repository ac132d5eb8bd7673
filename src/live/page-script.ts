/**
 * The live page's browser code (plain ES2020, no build step, no dependencies): it opens `/live`,
 * reads @statelyai/inspect frames (`@xstate.actor`, `@xstate.event`, `@xstate.snapshot`), lights
 * the active states of each machine's chart by flipping `data-active` on its `data-state` groups,
 * keeps the recent events, and refreshes the cards from `/live/status` when the lease or treasury moves.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  "use strict";
  var EVENTS_SHOWN = 40;
  var charts = new Map();
  document.querySelectorAll("svg.chart").forEach(function (svg) {
    var groups = new Map();
    svg.querySelectorAll("g[data-state]").forEach(function (g) { groups.set(g.getAttribute("data-state"), g); });
    charts.set(svg.getAttribute("data-machine"), { svg: svg, groups: groups });
  });
  var sessions = new Map();
  var chartSession = new Map();

  function $(id) { return document.getElementById(id); }
  function setText(id, text) { var el = $(id); if (el && el.textContent !== text) el.textContent = text; }

  function stateName(value) {
    if (typeof value === "string") return value;
    if (!value || typeof value !== "object") return "";
    return Object.keys(value).map(function (key) {
      var child = value[key];
      return child === undefined || child === null ? key : key + "." + stateName(child);
    }).join(" + ");
  }

  function activeKeys(machineId, value) {
    var keys = new Set([machineId]);
    (function walk(prefix, node) {
      if (typeof node === "string") { keys.add(prefix + "." + node); return; }
      if (!node || typeof node !== "object") return;
      Object.keys(node).forEach(function (key) {
        keys.add(prefix + "." + key);
        walk(prefix + "." + key, node[key]);
      });
    })(machineId, value);
    return keys;
  }

  // The transitions just taken: from a state that was left to one that was entered.
  function markTaken(chart, before, keys) {
    if (!before) return;
    var left = [], entered = [];
    before.forEach(function (key) { if (!keys.has(key)) left.push(key); });
    keys.forEach(function (key) { if (!before.has(key)) entered.push(key); });
    if (left.length === 0 && entered.length === 0) return;
    chart.svg.querySelectorAll('g.edge[data-taken="true"]').forEach(function (edge) { edge.removeAttribute("data-taken"); });
    chart.svg.querySelectorAll("g.edge").forEach(function (edge) {
      if (left.indexOf(edge.getAttribute("data-source")) >= 0 && entered.indexOf(edge.getAttribute("data-target")) >= 0)
        edge.setAttribute("data-taken", "true");
    });
  }

  function light(machineId, snapshot) {
    var chart = charts.get(machineId);
    if (!chart) return;
    var keys = activeKeys(machineId, snapshot.value);
    chart.groups.forEach(function (g, key) {
      var want = keys.has(key) ? "true" : "false";
      if (g.getAttribute("data-active") !== want) g.setAttribute("data-active", want);
    });
    markTaken(chart, chart.active, keys);
    chart.active = keys;
    chart.svg.setAttribute("data-status", snapshot.status || "active");
    follow(chart, keys);
    var current = document.querySelector('[data-current-of="' + machineId + '"]');
    var text = stateName(snapshot.value) + (snapshot.status && snapshot.status !== "active" ? " (" + snapshot.status + ")" : "");
    if (current && current.textContent !== text) current.textContent = text;
  }

  // A chart wider than its frame is shown at actual size and scrolled to keep its deepest active state in view.
  function follow(chart, keys) {
    var frame = chart.svg.parentElement;
    if (!frame || frame.getAttribute("data-fit") === "true") return;
    var deepest = null;
    keys.forEach(function (key) { if (!deepest || key.split(".").length > deepest.split(".").length) deepest = key; });
    var g = deepest && chart.groups.get(deepest);
    if (!g || chart.followed === deepest) return;
    chart.followed = deepest;
    var box = g.getBBox();
    frame.scrollTo({ left: Math.max(0, box.x + box.width / 2 - frame.clientWidth / 2), top: Math.max(0, box.y + box.height / 2 - frame.clientHeight / 2) });
  }

  function fitSmallCharts() {
    charts.forEach(function (chart, machineId) {
      var frame = chart.svg.parentElement;
      var width = Number(chart.svg.getAttribute("width"));
      var fit = width <= frame.clientWidth * 1.5;
      frame.setAttribute("data-fit", fit ? "true" : "false");
      var button = document.querySelector('[data-zoom-of="' + machineId + '"]');
      if (button) button.textContent = fit ? "actual size" : "fit width";
    });
  }
  fitSmallCharts();

  function parseDefinition(text) {
    if (typeof text !== "string") return null;
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function onActor(frame) {
    var definition = parseDefinition(frame.definition);
    var machineId = definition && definition.states && typeof definition.id === "string" ? definition.id : null;
    sessions.set(frame.sessionId, { name: frame.name, machineId: machineId });
    // The agent's own actors are named after their machines; another actor of the same machine (a
    // child agent's lease, say) takes the chart only while none of those exists.
    if (machineId && charts.has(machineId) && (frame.name === machineId || !chartSession.has(machineId))) {
      chartSession.set(machineId, frame.sessionId);
      if (frame.snapshot && frame.snapshot.value !== undefined) applySnapshot(frame.sessionId, frame.snapshot);
    }
  }

  var refreshTimer = null;
  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () { refreshTimer = null; refreshStatus(); }, 150);
  }

  function applySnapshot(sessionId, snapshot) {
    var session = sessions.get(sessionId);
    if (!session || !session.machineId || !snapshot) return;
    if (chartSession.get(session.machineId) !== sessionId) return;
    light(session.machineId, snapshot);
    if (session.machineId === "lease") setText("lease-state", stateName(snapshot.value));
    if (session.machineId === "agent") setText("agent-state", "agent: " + stateName(snapshot.value));
    if (session.machineId === "lease" || session.machineId === "treasury") refreshSoon();
  }

  // xstate.done.actor.0.lease.deploying.working → "done lease.deploying.working" (the invoke's state).
  function eventLabel(type) {
    var match = /^xstate\.(done|error)\.actor\.(?:\d+\.)?(.*)$/.exec(type);
    return match ? match[1] + " " + match[2] : type;
  }

  function clock(at) {
    var d = at ? new Date(Number(at)) : new Date();
    return d.toTimeString().slice(0, 8);
  }

  function prepend(listId, item, limit) {
    var list = $(listId);
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    list.insertBefore(item, list.firstChild);
    while (list.children.length > limit) list.removeChild(list.lastChild);
  }

  function onEvent(frame) {
    var event = frame.event || {};
    if (typeof event.type !== "string" || event.type.indexOf("xstate.") === 0 && event.type.indexOf("xstate.done") !== 0 && event.type.indexOf("xstate.error") !== 0) return;
    var target = sessions.get(frame.sessionId);
    var li = document.createElement("li");
    var time = document.createElement("time"); time.textContent = clock(frame.createdAt);
    var actor = document.createElement("span"); actor.className = "actor"; actor.textContent = target ? target.name : "?";
    var text = document.createElement("span"); text.className = "text"; text.textContent = eventLabel(event.type);
    text.title = text.textContent;
    li.append(time, actor, text);
    prepend("events", li, EVENTS_SHOWN);
  }

  function onFrame(frame) {
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "@xstate.actor") onActor(frame);
    else if (frame.type === "@xstate.snapshot") applySnapshot(frame.sessionId, frame.snapshot);
    else if (frame.type === "@xstate.event") onEvent(frame);
  }

  function units(amount, decimals, symbol) {
    if (amount === null || amount === undefined || amount === "") return "-";
    var n = Number(amount) / Math.pow(10, decimals);
    return (Number.isFinite(n) ? n.toLocaleString(undefined, { maximumFractionDigits: 6 }) : String(amount)) + " " + symbol;
  }

  function renderSummary(summary) {
    var status = summary.status && typeof summary.status === "object" ? summary.status : {};
    var lease = summary.lease || status;
    if (!sessionsHaveChart("lease") && lease.state) setText("lease-state", String(lease.state));
    setText("lease-provider", lease.provider || "-");
    setText("lease-dseq", lease.dseq || "-");
    setText("lease-runway", lease.escrowRunwayHours === null || lease.escrowRunwayHours === undefined ? "-" : lease.escrowRunwayHours + " h");
    setText("lease-price", lease.priceUactPerBlock ? lease.priceUactPerBlock + " uact/block" : "-");
    setText("lease-uris", lease.uris && lease.uris.length ? lease.uris.join(", ") : "-");
    var balances = summary.balances || status.balances || null;
    setText("balance-akt", balances ? units(balances.uakt, 6, "AKT") : "-");
    setText("balance-act", balances ? units(balances.uact, 6, "ACT") : "-");
    setText("balance-minting", balances ? units(balances.pendingMintUact, 6, "ACT") : "-");
    setText("balance-cro", balances && balances.croWei ? units(balances.croWei, 18, "CRO") : "-");
    var alerts = (summary.alerts || []).concat(Array.isArray(status.alerts) ? status.alerts : []);
    var list = $("alerts");
    list.textContent = "";
    if (alerts.length === 0) { var none = document.createElement("li"); none.className = "empty"; none.textContent = "none"; list.append(none); }
    alerts.slice(0, 20).forEach(function (alert) {
      var li = document.createElement("li");
      var time = document.createElement("time"); time.textContent = clock(alert.at || alert.createdAt);
      var sev = document.createElement("span"); sev.className = "severity-" + alert.severity; sev.textContent = alert.severity;
      var text = document.createElement("span"); text.textContent = alert.title + (alert.message ? ": " + alert.message : "");
      li.append(time, sev, text);
      list.append(li);
    });
  }

  function sessionsHaveChart(machineId) { return chartSession.has(machineId); }

  function refreshStatus() {
    fetch("/live/status", { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (summary) { if (summary) renderSummary(summary); })
      .catch(function () {});
  }

  document.querySelectorAll("button[data-zoom-of]").forEach(function (button) {
    button.addEventListener("click", function () {
      var frame = button.closest(".chart-card").querySelector(".chart-frame");
      var fit = frame.getAttribute("data-fit") === "true";
      frame.setAttribute("data-fit", fit ? "false" : "true");
      button.textContent = fit ? "fit width" : "actual size";
      var chart = charts.get(button.getAttribute("data-zoom-of"));
      if (chart && fit) { chart.followed = null; }
    });
  });

  var retryMs = 500;
  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live");
    socket.onopen = function () {
      retryMs = 500;
      var el = $("connection"); el.setAttribute("data-connected", "true"); el.textContent = "live";
      refreshStatus();
    };
    socket.onmessage = function (message) {
      if (typeof message.data !== "string") return;
      var frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      onFrame(frame);
    };
    socket.onclose = function () {
      var el = $("connection"); el.setAttribute("data-connected", "false"); el.textContent = "reconnecting…";
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }
  connect();
  setInterval(refreshStatus, 5000);
})();
`;
