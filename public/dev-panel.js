/** `cache;desc="l1-hit", search;dur=1.2;desc="postgres"` → { cache: { desc }, search: { dur, desc } } */
export function parseServerTiming(header) {
  const metrics = {};
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.split(";").map((part) => part.trim());
    if (!name) continue;
    const metric = {};
    for (const param of params) {
      const [key, value = ""] = param.split("=").map((part) => part.trim());
      metric[key] = key === "dur" ? Number(value) : value.replace(/^"(.*)"$/, "$1");
    }
    metrics[name] = metric;
  }
  return metrics;
}

/** Whether the browser answered from its HTTP cache: nothing crossed the network. */
function fromBrowserCache(url) {
  const entries = performance.getEntriesByName(new URL(url, location.href).href, "resource");
  const entry = entries[entries.length - 1];
  // The resource timing buffer is small; only the latest request matters here.
  performance.clearResourceTimings();
  if (!entry) return "inconnu";
  return entry.transferSize === 0 && entry.decodedBodySize > 0 ? "oui (HTTP cache)" : "non (réseau)";
}

const milliseconds = (value) => `${value.toFixed(1)} ms`;

function serverTimeText(metrics) {
  const parts = [];
  if (Number.isFinite(metrics.search?.dur)) parts.push(`recherche ${milliseconds(metrics.search.dur)}`);
  if (Number.isFinite(metrics.db?.dur)) parts.push(`base ${milliseconds(metrics.db.dur)}`);
  return parts.length > 0 ? parts.join(", ") : "aucune recherche (servi du cache)";
}

/** Shows where the last answer came from: cache layer, search backend, server and round-trip time. */
export function createDevPanel(root) {
  const field = (id) => root.querySelector(`#${id}`);
  return {
    /** `detail` of the element's lieux-results and lieux-error events. */
    show({ url, response, error, durationMs, requests }) {
      field("dev-url").textContent = decodeURIComponent(url);
      field("dev-round-trip").textContent = milliseconds(durationMs);
      field("dev-counts").textContent = `${requests.sent} envoyée(s), ${requests.aborted} annulée(s)`;
      if (!response) {
        field("dev-status").textContent = `échec réseau (${error?.message ?? error})`;
        for (const id of ["dev-cache", "dev-backend", "dev-server-time", "dev-browser-cache"]) field(id).textContent = "—";
        return;
      }
      const metrics = parseServerTiming(response.headers.get("Server-Timing"));
      field("dev-status").textContent = `${response.status} ${response.statusText}`.trim();
      field("dev-cache").textContent = metrics.cache?.desc ?? "—";
      field("dev-backend").textContent = response.headers.get("X-Search-Backend") ?? "—";
      field("dev-server-time").textContent = serverTimeText(metrics);
      field("dev-browser-cache").textContent = fromBrowserCache(url);
    },
  };
}
