// Hybrid-Grid dashboard: one server-sent-events stream (/api/v1/stream) pushes a snapshot per
// second; this file renders it. Everything from the server is inserted as text, never as HTML:
// file names and worker ids come from clients and workers nobody vouches for.
'use strict';

const HISTORY = 300;            // chart points kept (one per snapshot, 5 min)
const GONE_KEEP_MS = 5 * 60e3;  // how long a worker that left stays listed as gone
const FEED_MAX = 60;

const state = {
  workers: new Map(),  // id -> {w, gone, goneAt, reason, fresh}
  lastSeq: 0,
  lastTime: null,
  recent: [],          // {at, placement, ms} for the KPIs' 60 s window
  series: [[], [], [], [], [], []], // time, remote, cache, local, latency ms, queue depth
  totals: {remote: 0, cache: 0, local: 0},
};

const $ = (id) => document.getElementById(id);

function el(tag, opts, ...children) {
  const e = document.createElement(tag);
  if (opts) {
    if (opts.cls) e.className = opts.cls;
    if (opts.title) e.title = opts.title;
    if (opts.data) for (const [k, v] of Object.entries(opts.data)) e.dataset[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function badge(kind, text) {
  return el('span', {cls: 'badge b-' + kind}, text || kind.replace('_', ' '));
}

function fmtMs(v) {
  if (v == null || v < 0) return '–';
  return v >= 10000 ? (v / 1000).toFixed(1) + ' s' : Math.round(v).toString();
}

function fmtDuration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

function hhmmss(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString([], {hour12: false});
}

function group(placement) {
  return placement === 'remote' ? 'remote'
    : placement === 'cache' || placement === 'local_cache' ? 'cache' : 'local';
}

// ---- charts ----------------------------------------------------------------------------------

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function chartSize(div) {
  const w = Math.max(200, div.clientWidth);
  return {width: w, height: Math.max(120, Math.round(Math.min(w * 0.36, window.innerHeight * 0.27)))};
}

// The last five minutes, however much history there is: a steady axis on a wall screen.
function xRange(u, min, max) {
  return [max - HISTORY, max];
}

function fontPx() {
  return parseFloat(getComputedStyle(document.body).fontSize) || 14;
}

function hhmm(v) {
  return new Date(v * 1000).toLocaleTimeString([], {hour12: false, hour: '2-digit', minute: '2-digit'});
}

function msLabel(v) {
  return v >= 1000 ? (v / 1000).toLocaleString([], {maximumFractionDigits: 1}) + ' s' : Math.round(v) + ' ms';
}

// uPlot draws on a canvas, so its fonts follow the page's font size by hand (laptop vs wall).
function makeCharts() {
  const fs = fontPx();
  const font = `${Math.round(fs * 0.8)}px system-ui, sans-serif`;
  const axis = {stroke: cssVar('--muted'), font, grid: {stroke: '#223', width: 1}, ticks: {stroke: '#223'}};
  const xAxis = {...axis, space: fs * 5, values: (u, splits) => splits.map(hhmm), size: fs * 2.2};
  const through = $('chart-throughput');
  const lat = $('chart-latency');
  through.replaceChildren();
  lat.replaceChildren();
  const tp = new uPlot({
    ...chartSize(through),
    scales: {x: {time: true, range: xRange}, y: {range: (u, min, max) => [0, Math.max(1, max * 1.15)]}},
    axes: [xAxis, {...axis, size: fs * 3, values: (u, splits) => splits.map((v) => v + '/s')}],
    series: [
      {value: (u, v) => v == null ? '--' : hhmm(v)},
      {label: 'remote', stroke: cssVar('--remote'), fill: cssVar('--remote') + '33', width: 2, points: {show: false}},
      {label: 'cached', stroke: cssVar('--cache'), width: 2, points: {show: false}},
      {label: 'local', stroke: cssVar('--local'), width: 2, points: {show: false}},
    ],
  }, [state.series[0], state.series[1], state.series[2], state.series[3]], through);
  const lq = new uPlot({
    ...chartSize(lat),
    scales: {x: {time: true, range: xRange}, ms: {range: (u, min, max) => [0, Math.max(10, max * 1.15)]},
             q: {range: (u, min, max) => [0, Math.max(2, max * 1.15)]}},
    axes: [xAxis,
           {...axis, scale: 'ms', size: fs * 4, values: (u, splits) => splits.map(msLabel)},
           {...axis, scale: 'q', side: 1, grid: {show: false}, size: fs * 2.5}],
    series: [
      {value: (u, v) => v == null ? '--' : hhmm(v)},
      {label: 'task time', scale: 'ms', stroke: cssVar('--remote'), width: 2, spanGaps: true, points: {show: false}},
      {label: 'queue', scale: 'q', stroke: cssVar('--fallback'), width: 2, points: {show: false}},
    ],
  }, [state.series[0], state.series[4], state.series[5]], lat);
  return {tp, lq, fs};
}

window.addEventListener('resize', () => {
  if (!charts) return;
  if (fontPx() !== charts.fs) {
    charts.tp.destroy();
    charts.lq.destroy();
    charts = makeCharts();
  } else {
    charts.tp.setSize(chartSize($('chart-throughput')));
    charts.lq.setSize(chartSize($('chart-latency')));
  }
});

let charts = null;

function pushPoint(t, snap, fresh, dt) {
  const s = state.series;
  const counts = {remote: 0, cache: 0, local: 0};
  let msSum = 0, msN = 0;
  for (const task of fresh) {
    counts[group(task.placement)]++;
    if (task.placement === 'remote' && task.outcome !== 'failed') { msSum += task.ms; msN++; }
  }
  s[0].push(t);
  s[1].push(counts.remote / dt);
  s[2].push(counts.cache / dt);
  s[3].push(counts.local / dt);
  s[4].push(msN ? msSum / msN : null);
  s[5].push(snap.stats.tasks_queued);
  for (const a of s) if (a.length > HISTORY) a.shift();
  for (const k of Object.keys(counts)) state.totals[k] += counts[k];
  if (charts) {
    charts.tp.setData([s[0], s[1], s[2], s[3]]);
    charts.lq.setData([s[0], s[4], s[5]]);
  }
  const through = $('chart-throughput');
  through.dataset.points = s[0].length;
  through.dataset.tasks = state.totals.remote + state.totals.cache + state.totals.local;
}

// ---- rendering -------------------------------------------------------------------------------

function renderKpis(snap) {
  const st = snap.stats;
  const live = snap.workers;
  const slots = live.reduce((n, w) => n + w.max_parallel, 0);
  const busy = live.reduce((n, w) => n + w.active_tasks, 0);
  $('k-workers').textContent = live.length;
  $('k-slots').textContent = `${busy} of ${slots} slots busy`;
  $('k-running').textContent = st.active_tasks;
  $('k-queue').textContent = `${st.tasks_queued} queued`;
  const now = Date.parse(snap.time);
  state.recent = state.recent.filter((r) => now - r.at < 60e3);
  $('k-rate').textContent = state.recent.length;
  const remote = state.recent.filter((r) => r.placement === 'remote' && r.ms >= 0);
  $('k-latency').textContent = remote.length
    ? fmtMs(remote.reduce((n, r) => n + r.ms, 0) / remote.length) + ' ms' : '–';
  const all = state.totals.remote + state.totals.cache + state.totals.local;
  $('k-hit').textContent = all ? Math.round(100 * state.totals.cache / all) + '%' : '–';
  const lookups = st.cache_hits + st.cache_misses;
  $('k-hit-sub').textContent = st.cache_enabled
    ? `shared cache ${lookups ? Math.round(100 * st.cache_hits / lookups) : 0}% of ${lookups}`
    : 'shared cache off';
  $('k-done').textContent = st.tasks_completed;
  $('k-done').dataset.value = st.tasks_completed;
  $('k-failed').textContent = `${st.compile_errors} compile errors · ${st.tasks_failed} failed`;
  $('uptime').textContent = 'up ' + fmtDuration(st.uptime_seconds);
}

function updateWorkers(snap) {
  const now = Date.now();
  const seen = new Set();
  for (const w of snap.workers) {
    seen.add(w.id);
    const prev = state.workers.get(w.id);
    state.workers.set(w.id, {w, gone: false, fresh: !prev || prev.gone});
  }
  const lastEvent = new Map();
  for (const e of snap.events) lastEvent.set(e.worker, e);
  for (const [id, entry] of state.workers) {
    if (!seen.has(id)) {
      if (!entry.gone) {
        const e = lastEvent.get(id);
        entry.gone = true;
        entry.goneAt = now;
        entry.reason = e && e.type !== 'join' ? `${e.type}: ${e.reason}` : 'left';
        entry.w = {...entry.w, active_tasks: 0};
      } else if (now - entry.goneAt > GONE_KEEP_MS) {
        state.workers.delete(id);
      }
    }
  }
}

// "gcc/c++ 12.2.0 x86_64-linux-gnu" and friends ->
// "gcc 12.2.0 x86_64-linux-gnu · gcc 11.3.0 (x86_64-linux-gnu, aarch64-linux-gnu)".
function compilers(list) {
  if (!list.length) return '–';
  const byVersion = new Map();
  for (const d of list) {
    const [fam, version, target] = d.split(' ');
    const key = fam.replace('/c++', '') + ' ' + version;
    if (!byVersion.has(key)) byVersion.set(key, new Set());
    if (target) byVersion.get(key).add(target);
  }
  return [...byVersion].map(([k, targets]) =>
    targets.size > 1 ? `${k} (${[...targets].join(', ')})`
      : targets.size ? `${k} ${[...targets][0]}` : k).join(' · ');
}

// The worker's --toolchains and the shipped toolchains it holds: "both · 2 held", "own".
function toolchains(w) {
  if (!w.toolchains || w.toolchains === 'own') return 'own';
  return `${w.toolchains} · ${w.toolchains_held || 0} held`;
}

function renderWorkers() {
  const body = $('workers').tBodies[0];
  const rows = [];
  const entries = [...state.workers.values()].sort((a, b) =>
    (a.gone - b.gone) || a.w.id.localeCompare(b.w.id));
  for (const entry of entries) {
    const w = entry.w;
    const st = entry.gone ? 'gone' : w.state;
    const pct = w.max_parallel ? Math.min(100, 100 * w.active_tasks / w.max_parallel) : 0;
    const bar = el('div', {cls: 'bar'});
    const fill = el('span');
    fill.style.width = pct + '%';
    fill.style.background = cssVar('--remote');
    bar.append(fill);
    // The coordinator's breaker for this worker: closed (in scheduling), open (out after
    // repeated infrastructure failures), half-open (one probe task decides).
    const circuit = (w.circuit_state || 'CLOSED').toLowerCase();
    const tr = el('tr', {cls: (entry.gone ? 'gone' : '') + (entry.fresh ? ' fresh' : ''),
                         data: {worker: w.id, state: st, circuit: circuit}},
      el('td', {title: w.hostname}, w.id),
      el('td', {cls: 'state', title: entry.reason || ''}, badge(st)),
      el('td', {cls: 'circuit'}, badge('c-' + circuit, circuit.replace('_', '-'))),
      el('td', null, el('div', {cls: 'busy'}, bar, `${w.active_tasks}/${w.max_parallel}`)),
      el('td', {cls: 'num'}, w.load_average >= 0 ? w.load_average.toFixed(2) : '–'),
      el('td', {cls: 'num'}, w.cores),
      el('td', {cls: 'compilers', title: (w.compilers || []).join('\n')}, compilers(w.compilers || [])),
      el('td', {cls: 'toolchains', title: (w.toolchain_digests || []).join('\n')}, toolchains(w)),
      el('td', {cls: 'num'}, fmtMs(w.task_ms)),
      el('td', {cls: 'num'}, w.rtt_ms >= 0 ? w.rtt_ms.toFixed(1) : '–'),
      el('td', {cls: 'num'}, w.tasks_completed));
    entry.fresh = false;
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  $('no-workers').style.display = rows.length ? 'none' : '';
}

function renderFeed(fresh, running) {
  const body = $('tasks').tBodies[0];
  for (const t of fresh) {
    const who = t.worker || t.client || '';
    const tr = el('tr', {cls: 'fresh', data: {seq: t.seq, placement: t.placement}},
      el('td', null, hhmmss(t.time)),
      el('td', {cls: 'file', title: t.file}, t.file),
      el('td', null, badge(t.outcome === 'failed' ? 'failed' : t.placement,
                           t.outcome === 'failed' ? 'failed' : null),
         t.outcome === 'compile_error' ? ' ' : '',
         t.outcome === 'compile_error' ? badge('compile_error', 'error') : ''),
      el('td', {title: t.client ? 'client ' + t.client : ''}, who),
      el('td', {cls: 'num'}, fmtMs(t.ms)));
    body.prepend(tr);
  }
  while (body.rows.length > FEED_MAX) body.deleteRow(body.rows.length - 1);
  $('running-count').textContent = `${running.length} running now`;
}

function renderBuilds(builds) {
  const body = $('builds').tBodies[0];
  const rows = builds.map((b) => {
    const total = Math.max(1, b.tasks);
    const bar = el('div', {cls: 'bar', title:
      `remote ${b.remote}, cached ${b.cached + b.local_cache}, local ${b.local}, fallback ${b.fallback}, failed ${b.failed}`});
    for (const [n, color] of [[b.remote, '--remote'], [b.cached + b.local_cache, '--cache'],
                              [b.local, '--local'], [b.fallback + b.failed, '--fallback']]) {
      const s = el('span');
      s.style.width = (100 * n / total) + '%';
      s.style.background = cssVar(color);
      bar.append(s);
    }
    return el('tr', {data: {build: b.build}},
      el('td', {cls: 'file', title: b.build}, b.build),
      el('td', null, b.client),
      el('td', {cls: 'num'}, b.tasks),
      el('td', null, bar),
      el('td', null, hhmmss(b.finished)));
  });
  body.replaceChildren(...rows);
  $('no-builds').style.display = rows.length ? 'none' : '';
}

function renderEvents(events) {
  const items = events.slice().reverse().slice(0, 30).map((e) =>
    el('li', {data: {type: e.type}}, el('span', {cls: 't'}, hhmmss(e.time)),
       badge(e.type === 'join' ? 'active' : e.type === 'leave' ? 'gone' : 'failed', e.type),
       ' ', e.worker, ' ', el('span', {cls: 'muted'}, e.reason)));
  $('events').replaceChildren(...items);
}

function onSnapshot(snap) {
  const t = Date.parse(snap.time) / 1000;
  const first = state.lastTime == null;
  const dt = first ? 1 : Math.max(0.25, t - state.lastTime);
  state.lastTime = t;
  const fresh = snap.tasks.filter((x) => x.seq > state.lastSeq);
  if (fresh.length) state.lastSeq = fresh[fresh.length - 1].seq;
  for (const x of fresh) state.recent.push({at: Date.parse(x.time), placement: x.placement, ms: x.ms});
  // The first snapshot brings the backlog: it fills the feed and the hit rate, not the rate chart.
  if (first) for (const x of fresh) state.totals[group(x.placement)]++;
  pushPoint(t, snap, first ? [] : fresh, dt);
  updateWorkers(snap);
  renderKpis(snap);
  renderWorkers();
  renderFeed(fresh, snap.running);
  renderBuilds(snap.builds);
  renderEvents(snap.events);
}

function connect() {
  const conn = $('conn');
  const es = new EventSource('/api/v1/stream');
  es.onopen = () => { conn.textContent = 'live'; conn.className = 'conn on'; };
  es.onmessage = (m) => onSnapshot(JSON.parse(m.data));
  es.onerror = () => { conn.textContent = 'reconnecting…'; conn.className = 'conn off'; };
}

charts = makeCharts();
connect();
