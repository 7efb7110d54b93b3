// A small SVG chart: time series as lines, or histograms as grouped bars. No library, no inline script, no HTML parsing.
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v) {
  if (Math.abs(v) >= 1000) return (v / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 }) + 'k';
  return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

// series: [{ name, points: [[timeMs, value|null], ...] }]; returns an <svg> with a legend-friendly class per series.
export function lineChart(series, { width = 560, height = 180, label = '', step = false, endLabel = 'now' } = {}) {
  const pad = { l: 44, r: 10, t: 10, b: 22 };
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  const all = series.flatMap(x => x.points).filter(p => p[1] !== null && p[1] !== undefined && !Number.isNaN(p[1]));
  const iw = width - pad.l - pad.r, ih = height - pad.t - pad.b;
  if (all.length === 0) {
    svg.appendChild(s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'no data yet'));
    return svg;
  }
  const t0 = Math.min(...all.map(p => p[0])), t1 = Math.max(...all.map(p => p[0]));
  const ymax = niceMax(Math.max(...all.map(p => p[1])));
  const x = t => pad.l + (t1 === t0 ? iw : ((t - t0) / (t1 - t0)) * iw);
  const y = v => pad.t + ih - (v / ymax) * ih;
  for (let i = 0; i <= 4; i++) {
    const v = (ymax * i) / 4;
    svg.appendChild(s('line', { class: 'grid', x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v) }));
    svg.appendChild(s('text', { x: pad.l - 4, y: y(v) + 3, 'text-anchor': 'end' }, fmt(v)));
  }
  svg.appendChild(s('line', { class: 'axis', x1: pad.l, x2: pad.l, y1: pad.t, y2: pad.t + ih }));
  svg.appendChild(s('line', { class: 'axis', x1: pad.l, x2: width - pad.r, y1: pad.t + ih, y2: pad.t + ih }));
  const span = (t1 - t0) / 1000;
  svg.appendChild(s('text', { x: pad.l, y: height - 6 }, span > 0 ? `-${Math.round(span)} s` : ''));
  svg.appendChild(s('text', { x: width - pad.r, y: height - 6, 'text-anchor': 'end' }, endLabel === 'now' ? 'now' : new Date(t1).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')));
  series.forEach((ser, i) => {
    let d = '', prev = null;
    for (const [t, v] of ser.points) {
      if (v === null || v === undefined || Number.isNaN(v)) { prev = null; continue; }
      if (prev === null) d += `M${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      else if (step) d += `H${x(t).toFixed(1)}V${y(v).toFixed(1)}`;
      else d += `L${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      prev = v;
    }
    const path = s('path', { class: `line s${i % 4}`, d });
    path.appendChild(s('title', {}, ser.name));
    svg.appendChild(path);
    // A lone point (one monitoring window, a gap on both sides) has no line to draw: mark it.
    const valid = ser.points.filter(p => p[1] !== null && p[1] !== undefined && !Number.isNaN(p[1]));
    if (valid.length === 1) {
      const dot = s('circle', { class: `dot s${i % 4}`, cx: x(valid[0][0]), cy: y(valid[0][1]), r: 3.5 });
      dot.appendChild(s('title', {}, `${ser.name}: ${fmt(valid[0][1])}`));
      svg.appendChild(dot);
    }
  });
  return svg;
}

// Reference vs current histograms over the same bins: groups: [{ label, values: [ref, cur] }] (fractions or counts).
export function barChart(groups, names, { width = 420, height = 160, label = '' } = {}) {
  const pad = { l: 40, r: 8, t: 8, b: 34 };
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  const iw = width - pad.l - pad.r, ih = height - pad.t - pad.b;
  const ymax = niceMax(Math.max(0, ...groups.flatMap(g => g.values.filter(v => typeof v === 'number'))));
  if (groups.length === 0) {
    svg.appendChild(s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'no data'));
    return svg;
  }
  const gw = iw / groups.length, bw = Math.max(1, (gw * 0.8) / names.length);
  for (let i = 0; i <= 2; i++) {
    const v = (ymax * i) / 2, yy = pad.t + ih - (v / ymax) * ih;
    svg.appendChild(s('line', { class: 'grid', x1: pad.l, x2: width - pad.r, y1: yy, y2: yy }));
    svg.appendChild(s('text', { x: pad.l - 4, y: yy + 3, 'text-anchor': 'end' }, fmt(v)));
  }
  groups.forEach((g, gi) => {
    g.values.forEach((v, si) => {
      if (typeof v !== 'number') return;
      const hgt = (v / ymax) * ih;
      const r = s('rect', { class: `bar s${si % 4}`, x: pad.l + gi * gw + gw * 0.1 + si * bw, y: pad.t + ih - hgt, width: bw, height: Math.max(0, hgt) });
      r.appendChild(s('title', {}, `${names[si]} ${g.label}: ${fmt(v)}`));
      svg.appendChild(r);
    });
    if (groups.length <= 12 || gi % Math.ceil(groups.length / 12) === 0) {
      svg.appendChild(s('text', { x: pad.l + gi * gw + gw / 2, y: pad.t + ih + 12, 'text-anchor': 'middle' }, String(g.label).slice(0, 10)));
    }
  });
  svg.appendChild(s('line', { class: 'axis', x1: pad.l, x2: width - pad.r, y1: pad.t + ih, y2: pad.t + ih }));
  return svg;
}

export function legend(names) {
  const div = document.createElement('div');
  div.className = 'legend';
  names.forEach((n, i) => { const sp = document.createElement('span'); sp.className = 's' + (i % 4); sp.textContent = n; div.appendChild(sp); });
  return div;
}

// Signed contributions as horizontal bars around a zero line (SHAP values): rows: [{ label, value }]; positive bars
// take class s1, negative s0.
export function contributionChart(rows, { width = 560, label = '' } = {}) {
  const pad = { l: 120, r: 60, t: 6, b: 6 }, rh = 22;
  const height = pad.t + pad.b + rh * Math.max(1, rows.length);
  const svg = s('svg', { class: 'chart contributions', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  const iw = width - pad.l - pad.r;
  const m = Math.max(1e-12, ...rows.map(r => Math.abs(r.value)));
  const zero = pad.l + iw / 2;
  rows.forEach((r, i) => {
    const y = pad.t + i * rh, w = (Math.abs(r.value) / m) * (iw / 2);
    svg.appendChild(s('text', { x: pad.l - 6, y: y + rh / 2 + 3, 'text-anchor': 'end' }, String(r.label).slice(0, 20)));
    const bar = s('rect', { class: `bar ${r.value >= 0 ? 's1' : 's0'}`, x: r.value >= 0 ? zero : zero - w, y: y + 4, width: Math.max(0.5, w), height: rh - 8 });
    bar.appendChild(s('title', {}, `${r.label}: ${fmt(r.value)}`));
    svg.appendChild(bar);
    svg.appendChild(s('text', { x: r.value >= 0 ? zero + w + 4 : zero - w - 4, y: y + rh / 2 + 3, 'text-anchor': r.value >= 0 ? 'start' : 'end' }, r.value.toPrecision(3)));
  });
  svg.appendChild(s('line', { class: 'axis', x1: zero, x2: zero, y1: pad.t, y2: height - pad.b }));
  return svg;
}
