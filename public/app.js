import { createCombobox } from "./combobox.js";
import { createDevPanel } from "./dev-panel.js";
import { highlightedName } from "./safe-highlight.js";
import { createSearchClient } from "./search-client.js";

const $ = (selector) => document.querySelector(selector);
const input = $("#ville");
const status = $("#ville-status");
const errorBox = $("#error");
const departementSelect = $("#departement");
const typeSelect = $("#type");
const devPanel = createDevPanel($(".dev-panel"));
const frenchNumber = new Intl.NumberFormat("fr-FR");

const element = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

/** Name, département and main postal code: enough to tell the many Saint-Sauveur apart. */
function renderOption(ville) {
  const option = element("li", "option");
  const name = element("span", "option-name");
  name.append(highlightedName(ville.nom_highlight, ville.nom));
  if (ville.type !== "commune-actuelle") name.append(" ", element("span", "badge", ville.type.replace("-", " ")));
  const details = `${ville.departement.nom} (${ville.departement.code})${ville.code_postal_principal ? ` · ${ville.code_postal_principal}` : ""}`;
  option.append(name, element("span", "option-meta", details));
  option.setAttribute("aria-label", `${ville.nom}, ${details}`);
  return option;
}

function showSelection(ville) {
  input.value = ville.nom;
  $("#selection-nom").textContent = ville.nom;
  const details = [
    ["Code INSEE", ville.code_insee],
    ["Codes postaux", ville.codes_postaux.join(", ") || "—"],
    ["Département", `${ville.departement.nom} (${ville.departement.code})`],
    ["Région", ville.region.nom],
    ["Population", frenchNumber.format(ville.population)],
  ];
  $("#selection-details").replaceChildren(...details.flatMap(([term, value]) => [element("dt", "", term), element("dd", "", value)]));
  $("#selection").hidden = false;
  status.textContent = `${ville.nom} sélectionnée.`;
}

const listbox = $("#ville-options");
const combobox = createCombobox({ input, listbox, renderOption, onAccept: showSelection });

function showError(message) {
  combobox.show([]);
  delete listbox.dataset.query;
  $("#error-message").textContent = message;
  errorBox.hidden = false;
  status.textContent = "La recherche a échoué.";
}

function errorMessage({ response, body, error }) {
  if (error) return "L'API ne répond pas. Vérifiez la connexion puis réessayez.";
  const retryAfter = response.headers.get("Retry-After");
  if (response.status === 429) return `Trop de requêtes : réessayez dans ${retryAfter ?? "quelques"} s.`;
  return body?.error?.message ?? `Réponse inattendue de l'API (HTTP ${response.status}).`;
}

function showResults(outcome) {
  devPanel.show(outcome);
  if (outcome.error || !outcome.response.ok || !outcome.body) return showError(errorMessage(outcome));
  errorBox.hidden = true;
  const { results, match, query } = outcome.body;
  combobox.show(results);
  listbox.dataset.query = query.q;
  if (results.length === 0) status.textContent = `Aucune commune ne correspond à « ${query.q} ».`;
  else if (match === "fuzzy") status.textContent = `Aucun nom ne commence par « ${query.q} » : ${results.length} nom(s) approchant(s).`;
  else status.textContent = `${results.length} commune(s) trouvée(s).`;
}

const client = createSearchClient({ onSettled: showResults });

function currentParams() {
  const params = { q: input.value.trim() };
  if (departementSelect.value) params.departement = departementSelect.value;
  if (typeSelect.value) params.type = typeSelect.value;
  return params;
}

/** The API rejects queries without a letter or digit; there is nothing to ask it. */
const searchable = (q) => /[\p{L}\p{N}]/u.test(q);

function onQueryChange(immediately) {
  const params = currentParams();
  if (!searchable(params.q)) {
    client.clear();
    combobox.show([]);
    delete listbox.dataset.query;
    errorBox.hidden = true;
    status.textContent = "";
    return;
  }
  if (immediately) client.searchNow(params);
  else client.search(params);
}

input.addEventListener("input", () => onQueryChange(false));
departementSelect.addEventListener("change", () => onQueryChange(true));
typeSelect.addEventListener("change", () => onQueryChange(true));
$("#retry").addEventListener("click", () => {
  input.focus();
  onQueryChange(true);
});

async function loadDepartements() {
  try {
    const response = await fetch("/v1/departements");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { results } = await response.json();
    departementSelect.append(...results.map((departement) => {
      const option = element("option", "", `${departement.code} · ${departement.nom}`);
      option.value = departement.code;
      return option;
    }));
  } catch {
    // The search works without the filter; say why the list is short.
    departementSelect.options[0].textContent = "Tous (liste indisponible)";
  }
}

loadDepartements();
