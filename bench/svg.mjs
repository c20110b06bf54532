// A log-log line chart as SVG text, for bench/scale.mjs's picture of time against N. Pure: data
// in, text out, no dependency. Each series is a name and its [x, y] points (y > 0); the axes cover
// whole decades around the data, with a tick per decade and faint lines at 2 and 5. Series that
// share a `color` index (one method's build and teardown) share a colour; `dashed` tells them apart.
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const fmt = (v) => (v >= 1 ? String(Math.round(v * 100) / 100) : String(Number(v.toPrecision(2))));

/**
 * @param {{ title: string, xLabel: string, yLabel: string, series: { name: string, points: [number, number][], dashed?: boolean, color?: number }[], note?: string }} c
 * @returns {string}
 */
export function logLogSvg(c) {
  const W = 720;
  const H = 440;
  const m = { l: 70, r: 210, t: 40, b: 70 };
  const pts = c.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (pts.length === 0) throw new Error('logLogSvg: no positive points to draw');
  const dec = (v, f) => f(Math.log10(v));
  const x0 = dec(Math.min(...pts.map((p) => p[0])), Math.floor);
  const x1 = Math.max(x0 + 1, dec(Math.max(...pts.map((p) => p[0])), Math.ceil));
  const y0 = dec(Math.min(...pts.map((p) => p[1])), Math.floor);
  const y1 = Math.max(y0 + 1, dec(Math.max(...pts.map((p) => p[1])), Math.ceil));
  const X = (v) => m.l + ((Math.log10(v) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (v) => H - m.b - ((Math.log10(v) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="22" text-anchor="middle" font-size="15">${esc(c.title)}</text>`,
  ];
  const grid = (v, axis) => {
    const major = Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
    const stroke = major ? '#bbb' : '#eee';
    if (axis === 'x') {
      out.push(`<line x1="${X(v)}" y1="${m.t}" x2="${X(v)}" y2="${H - m.b}" stroke="${stroke}"/>`);
      if (major) out.push(`<text x="${X(v)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(v)}</text>`);
    } else {
      out.push(`<line x1="${m.l}" y1="${Y(v)}" x2="${W - m.r}" y2="${Y(v)}" stroke="${stroke}"/>`);
      if (major) out.push(`<text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
    }
  };
  for (let d = x0; d <= x1; d++) for (const k of d < x1 ? [1, 2, 5] : [1]) grid(k * 10 ** d, 'x');
  for (let d = y0; d <= y1; d++) for (const k of d < y1 ? [1, 2, 5] : [1]) grid(k * 10 ** d, 'y');
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 36}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`);
  if (c.note) out.push(`<text x="${m.l}" y="${H - 12}" font-size="11" fill="#555">${esc(c.note)}</text>`);
  c.series.forEach((s, i) => {
    const color = COLORS[(s.color ?? i) % COLORS.length];
    const p = s.points.filter(([x, y]) => x > 0 && y > 0).sort((a, b) => a[0] - b[0]);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (p.length > 1)
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${p.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const [x, y] of p)
      out.push(
        `<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.name}: N=${x}, ${fmt(y)}`)}</title></circle>`,
      );
    const ly = m.t + 14 + i * 20;
    out.push(`<line x1="${W - m.r + 14}" y1="${ly - 4}" x2="${W - m.r + 40}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${W - m.r + 46}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
