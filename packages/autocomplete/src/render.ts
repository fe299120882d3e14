import type { RenderItem, Ville } from "./types.js";

/** A DOM element from its tag, attributes and children: no HTML string anywhere. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

const details = (ville: Ville) => `${ville.departement.nom} (${ville.departement.code})${ville.code_postal_principal ? ` · ${ville.code_postal_principal}` : ""}`;

/** Name (highlighted), a badge unless it is a commune actuelle, then département and main postal code: enough to tell the many Saint-Sauveur apart. */
function renderDefault(ville: Ville, highlight: () => DocumentFragment, option: HTMLElement): Node[] {
  const name = h("span", { class: "name", part: "name" }, highlight());
  if (ville.type !== "commune-actuelle") name.append(" ", h("span", { class: "badge", part: "badge" }, ville.type.replace("-", " ")));
  option.setAttribute("aria-label", `${ville.nom}, ${details(ville)}`);
  return [name, h("span", { class: "meta", part: "meta" }, details(ville))];
}

/**
 * A copy of the page's `<template slot="item">`, each `[data-field]` filled with text from
 * that path of the ville (`nom`, `departement.nom`, `codes_postaux`…) and `nom_highlight`
 * with the safe highlight.
 */
function renderTemplate(template: HTMLTemplateElement, ville: Ville, highlight: () => DocumentFragment): Node {
  const fragment = template.content.cloneNode(true) as DocumentFragment;
  for (const slot of fragment.querySelectorAll<HTMLElement>("[data-field]")) {
    const path = slot.dataset.field!;
    if (path === "nom_highlight") {
      slot.replaceChildren(highlight());
      continue;
    }
    const value = path.split(".").reduce<unknown>((object, key) => (object as Record<string, unknown> | null)?.[key], ville);
    slot.textContent = value == null ? "" : Array.isArray(value) ? value.join(", ") : String(value);
  }
  return fragment;
}

/** Fills one option from `renderItem`, else the template, else the default layout. */
export function renderOption(option: HTMLElement, ville: Ville, highlight: () => DocumentFragment, renderItem: RenderItem | null, template: HTMLTemplateElement | null): void {
  if (renderItem) option.append(renderItem(ville, { highlight }));
  else if (template) option.append(renderTemplate(template, ville, highlight));
  else option.append(...renderDefault(ville, highlight, option));
}
