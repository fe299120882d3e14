import { LieuxAutocomplete } from "./element.js";
import type { LieuxRequestDetail, Ville } from "./types.js";

export { LieuxAutocomplete };
export { highlight } from "./highlight.js";
export type { Messages } from "./messages.js";
export type { AutocompleteBody, LieuxRequestDetail, RenderItem, Ville } from "./types.js";

if (!customElements.get("lieux-autocomplete")) customElements.define("lieux-autocomplete", LieuxAutocomplete);

declare global {
  interface HTMLElementTagNameMap {
    "lieux-autocomplete": LieuxAutocomplete;
  }
  interface HTMLElementEventMap {
    /** A commune was chosen: `detail` is the whole ville object. */
    "lieux-select": CustomEvent<Ville>;
    /** A list of results was shown. */
    "lieux-results": CustomEvent<LieuxRequestDetail>;
    /** The API could not be reached, rate-limited the page (429) or answered an error. */
    "lieux-error": CustomEvent<LieuxRequestDetail>;
  }
}
