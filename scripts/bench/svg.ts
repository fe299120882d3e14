/** A small line chart as standalone SVG: log-scale y, one polyline per series. No charting service. */
export interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
}

export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: Series[], options: { logX?: boolean } = {}): string {
  const width = 640;
  const height = 360;
  const margin = { left: 70, right: 20, top: 40, bottom: 50 };
  const all = series.flatMap((entry) => entry.points);
  const xs = all.map(([x]) => (options.logX ? Math.log10(x) : x));
  const ys = all.map(([, y]) => Math.log10(Math.max(y, 0.001)));
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.floor(Math.min(...ys)), Math.ceil(Math.max(...ys))];
  const scaleX = (x: number) => margin.left + ((options.logX ? Math.log10(x) : x) - xMin) / Math.max(1e-9, xMax - xMin) * (width - margin.left - margin.right);
  const scaleY = (y: number) => height - margin.bottom - (Math.log10(Math.max(y, 0.001)) - yMin) / Math.max(1e-9, yMax - yMin) * (height - margin.top - margin.bottom);
  const gridLines = [];
  for (let decade = yMin; decade <= yMax; decade++) {
    const y = scaleY(10 ** decade);
    gridLines.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${margin.left - 8}" y="${y + 4}" text-anchor="end" font-size="11">${10 ** decade} ms</text>`);
  }
  const xTicks = [...new Set(all.map(([x]) => x))].map((x) => `<text x="${scaleX(x)}" y="${height - margin.bottom + 16}" text-anchor="middle" font-size="11">${x}</text>`);
  const lines = series.map((entry, index) => {
    const points = entry.points.map(([x, y]) => `${scaleX(x).toFixed(1)},${scaleY(y).toFixed(1)}`).join(" ");
    const dots = entry.points.map(([x, y]) => `<circle cx="${scaleX(x).toFixed(1)}" cy="${scaleY(y).toFixed(1)}" r="3" fill="${entry.color}"/>`).join("");
    return `<polyline fill="none" stroke="${entry.color}" stroke-width="2" points="${points}"/>${dots}<text x="${width - margin.right - 150}" y="${margin.top + 14 * index}" font-size="12" fill="${entry.color}">${entry.name}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/><text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${title}</text>
${gridLines.join("\n")}
${xTicks.join("")}
<text x="${width / 2}" y="${height - 12}" text-anchor="middle" font-size="12">${xLabel}</text>
<text x="16" y="${height / 2}" transform="rotate(-90 16 ${height / 2})" text-anchor="middle" font-size="12">${yLabel}</text>
${lines.join("\n")}
</svg>
`;
}
