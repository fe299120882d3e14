import { createDevPanel } from "./dev-panel.js";
import { createMap } from "./map.js";

const $ = (selector) => document.querySelector(selector);
const ville = $("#ville");
const departementSelect = $("#departement");
const typeSelect = $("#type");
const frenchNumber = new Intl.NumberFormat("fr-FR");
const devPanel = createDevPanel($(".dev-panel"));

const element = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });

/** The element does the searching; the page shows what was chosen. */
ville.addEventListener("lieux-select", ({ detail }) => {
  $("#selection-nom").textContent = detail.nom;
  const details = [
    ["Code INSEE", detail.code_insee],
    ["Codes postaux", detail.codes_postaux.join(", ") || "—"],
    ["Département", `${detail.departement.nom} (${detail.departement.code})`],
    ["Région", detail.region.nom],
    ["Population", frenchNumber.format(detail.population)],
  ];
  $("#selection-details").replaceChildren(...details.flatMap(([term, value]) => [element("dt", term), element("dd", value)]));
  $("#selection").hidden = false;
  map.then((drawn) => drawn.show(detail));
});

const map = createMap($("#map"), $("#map-caption"));
// The element's near="auto" asks the browser for the position (rounded to 0.01°) and biases the ranking.
$("#near-me").addEventListener("change", ({ target }) => setFilter("near", target.checked ? "auto" : ""));

for (const type of ["lieux-results", "lieux-error"]) ville.addEventListener(type, ({ detail }) => devPanel.show(detail));

/** The filters are the element's own attributes: changing one asks again at once. */
function setFilter(name, value) {
  if (value) ville.setAttribute(name, value);
  else ville.removeAttribute(name);
}
departementSelect.addEventListener("change", () => setFilter("departement", departementSelect.value));
typeSelect.addEventListener("change", () => setFilter("type", typeSelect.value));

async function loadDepartements() {
  try {
    const response = await fetch("/v1/departements");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { results } = await response.json();
    departementSelect.append(...results.map((departement) => Object.assign(element("option", `${departement.code} · ${departement.nom}`), { value: departement.code })));
  } catch {
    // The search works without the filter; say why the list is short.
    departementSelect.options[0].textContent = "Tous (liste indisponible)";
  }
}

loadDepartements();
