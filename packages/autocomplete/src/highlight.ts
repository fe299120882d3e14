const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", "#x27": "'" };
const unescapeHtml = (text: string) => text.replace(/&(amp|lt|gt|quot|apos|#39|#x27);/g, (_, name: string) => ENTITIES[name]!);

/**
 * `nom_highlight` as text nodes and fresh <mark> elements: the string is split on the
 * literal <mark> and </mark> tags, never parsed as HTML. Anything else (another tag,
 * attributes, unbalanced marks) leaves text that differs from `nom`, and then the plain
 * name is shown instead.
 */
export function highlight(html: unknown, nom: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let inside = false;
  let text = "";
  for (const token of typeof html === "string" ? html.split(/(<\/?mark>)/) : []) {
    if (token === "<mark>" || token === "</mark>") {
      if (inside === (token === "<mark>")) return plain(fragment, nom);
      inside = !inside;
    } else if (token) {
      const part = unescapeHtml(token);
      text += part;
      if (!inside) fragment.append(part);
      else {
        const mark = document.createElement("mark");
        mark.setAttribute("part", "mark");
        mark.textContent = part;
        fragment.append(mark);
      }
    }
  }
  return inside || text !== nom ? plain(fragment, nom) : fragment;
}

function plain(fragment: DocumentFragment, nom: string): DocumentFragment {
  fragment.replaceChildren(nom);
  return fragment;
}
