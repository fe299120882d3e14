/** The docs page: static HTML, no CDN, rendered from /openapi.json by docs.js. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lieux API</title>
<link rel="stylesheet" href="/docs/docs.css">
<script src="/docs/docs.js" defer></script>
</head>
<body>
<header><h1>lieux API</h1><p id="summary">Loading the OpenAPI document…</p><p><a href="/openapi.json">openapi.json</a></p><p id="attribution">Commune points © GeoNames (geonames.org), licensed CC-BY 4.0.</p></header>
<main id="operations"></main>
</body>
</html>`;

export const DOCS_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1b1b1b}
h1{margin:.2rem 0}section{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}
.method{font:600 13px monospace;text-transform:uppercase;background:#1b6ac9;color:#fff;border-radius:4px;padding:.1rem .4rem;margin-right:.5rem}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f6f6f6;padding:.5rem;overflow:auto}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.25rem;text-align:left;vertical-align:top}`;

/** Builds the page with DOM APIs only (textContent), so nothing in the document can inject markup. */
export const DOCS_JS = `"use strict";
const el = (tag, text, cls) => { const node = document.createElement(tag); if (text !== undefined) node.textContent = text; if (cls) node.className = cls; return node; };
function renderParameters(parameters) {
  const table = el("table"); const head = el("tr");
  for (const title of ["name", "in", "required", "description"]) head.append(el("th", title));
  table.append(head);
  for (const p of parameters) {
    const row = el("tr");
    row.append(el("td", p.name), el("td", p.in), el("td", p.required ? "yes" : "no"), el("td", p.description || (p.schema && p.schema.description) || ""));
    table.append(row);
  }
  return table;
}
fetch("/openapi.json").then((r) => r.json()).then((doc) => {
  document.getElementById("summary").textContent = doc.info.description + " (version " + doc.info.version + ")";
  const main = document.getElementById("operations");
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const section = el("section"); const title = el("h2");
      title.append(el("span", method, "method"), el("code", path));
      section.append(title, el("p", op.summary || ""));
      if (op.description) section.append(el("p", op.description));
      if (op.parameters && op.parameters.length) section.append(renderParameters(op.parameters));
      const codes = Object.entries(op.responses || {}).map(([code, r]) => code + " " + r.description).join("\\n");
      section.append(el("pre", codes));
      main.append(section);
    }
  }
}).catch((error) => { document.getElementById("summary").textContent = "Could not load the OpenAPI document: " + error; });`;
