/**
 * The server already escapes `nom_highlight` and adds only <mark>. The page still trusts
 * nothing it did not build: the markup is parsed inert (a <template> runs no script and
 * loads nothing), then rebuilt from text nodes and fresh <mark> elements only.
 */
export function highlightedName(html, nom) {
  const template = document.createElement("template");
  template.innerHTML = typeof html === "string" ? html : "";
  const fragment = document.createDocumentFragment();
  for (const node of template.content.childNodes) {
    if (node.nodeType === Node.ELEMENT_NODE && node.localName === "mark") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      fragment.append(mark);
    } else if (node.nodeType === Node.TEXT_NODE) {
      fragment.append(node.textContent);
    }
  }
  // Anything else was dropped; if that changed the name, show the plain name instead.
  if (fragment.textContent !== nom) return document.createTextNode(nom);
  return fragment;
}
