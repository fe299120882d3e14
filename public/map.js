// A small map of metropolitan France drawn from the communes' own points (GeoNames, CC-BY 4.0): no tiles, no third party.
const BOX = { west: -5.2, east: 9.6, south: 41.3, north: 51.2 };
const SCALE = Math.cos((46.5 * Math.PI) / 180);
const project = (lat, lon) => [(lon - BOX.west) * SCALE * 40, (BOX.north - lat) * 40];
const inside = (lat, lon) => lat >= BOX.south && lat <= BOX.north && lon >= BOX.west && lon <= BOX.east;

function circle(svg, lat, lon, r, cls) {
  const [cx, cy] = project(lat, lon);
  // The <svg> from the page's markup carries the SVG namespace.
  const dot = document.createElementNS(svg.namespaceURI, "circle");
  for (const [name, value] of Object.entries({ cx, cy, r, class: cls })) dot.setAttribute(name, String(value));
  return dot;
}

/** Fills `svg` with the 600 most populous communes' points; `show(ville)` marks one. */
export async function createMap(svg, caption) {
  const [width, height] = project(BOX.south, BOX.east);
  svg.setAttribute("viewBox", `0 0 ${width.toFixed(0)} ${height.toFixed(0)}`);
  const marker = document.createElementNS(svg.namespaceURI, "g");
  let url = "/v1/villes?order=-population&limit=100&type=commune-actuelle&fields=latitude,longitude,coordinates_precision&format=geojson";
  try {
    for (let page = 0; page < 6 && url; page++) {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const collection = await response.json();
      for (const { geometry, properties } of collection.features) {
        if (!geometry || properties.coordinates_precision !== "commune") continue;
        const [lon, lat] = geometry.coordinates;
        if (inside(lat, lon)) svg.append(circle(svg, lat, lon, 2.5, "outline"));
      }
      url = collection.next;
    }
  } catch {
    caption.textContent = "Carte indisponible.";
  }
  svg.append(marker);
  return {
    show(ville) {
      marker.replaceChildren();
      const { latitude: lat, longitude: lon, coordinates_precision: precision } = ville;
      if (lat === null || lat === undefined) return void (caption.textContent = "Pas de coordonnées pour cette commune.");
      if (inside(lat, lon)) marker.append(circle(svg, lat, lon, precision === "commune" ? 6 : 14, precision === "commune" ? "chosen" : "chosen approximate"));
      const where = `${lat}, ${lon}`;
      caption.textContent = precision === "commune" ? `Centre : ${where}` : `Position approchée (${precision === "parent" ? "commune parente" : "centre du département"}) : ${where}`;
    },
  };
}
