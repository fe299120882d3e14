import { highlight } from "./highlight.js";
import { messagesFor, type Messages } from "./messages.js";
import { createPopup } from "./popup.js";
import { h, renderOption } from "./render.js";
import { createSearch, type SearchOutcome } from "./search.js";
import { styles } from "./styles.js";
import type { RenderItem, Ville } from "./types.js";

const SEARCH_ATTRIBUTES = ["api", "limit", "departement", "region", "type", "near"];
const DEFAULT_DEBOUNCE_MS = 120;
/** Without Retry-After, a 429 still pauses the element this long before it asks again. */
const DEFAULT_RATE_LIMIT_PAUSE_S = 5;
/** The API rejects a query without a letter or digit: there is nothing to ask it. */
const searchable = (q: string) => /[\p{L}\p{N}]/u.test(q);

/**
 * `<lieux-autocomplete>`: a WAI-ARIA 1.2 combobox (list autocomplete) over the lieux API,
 * and a form control that submits the chosen commune's `code_insee` under its `name`.
 * Focus stays in the input; `aria-activedescendant` names the option the arrows moved to.
 */
export class LieuxAutocomplete extends HTMLElement {
  static formAssociated = true;
  static observedAttributes = ["label", "placeholder", "lang", "required", ...SEARCH_ATTRIBUTES];

  /**
   * Renders one result in place of the default layout or a `<template slot="item">`.
   * A string is shown as text, never parsed as HTML.
   * @example el.renderItem = (ville, { highlight }) => Object.assign(document.createElement("b"), { textContent: ville.nom });
   */
  renderItem: RenderItem | null = null;

  readonly #internals = this.attachInternals();
  readonly #root = this.attachShadow({ mode: "open", delegatesFocus: true });
  readonly #input = h("input", {
    part: "input", type: "text", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "listbox",
    "aria-describedby": "status", autocomplete: "off", autocapitalize: "none", spellcheck: "false", enterkeyhint: "search", maxlength: "100",
  });
  readonly #list = h("div", { id: "listbox", role: "listbox", part: "listbox" });
  readonly #status = h("p", { id: "status", class: "status", part: "status", role: "status" });
  readonly #errorText = h("span", { part: "error-message" });
  readonly #retry = h("button", { type: "button", part: "retry" });
  readonly #error = h("div", { class: "error", part: "error", role: "alert", hidden: "" }, this.#errorText, this.#retry);
  readonly #popup = createPopup(this.#input, this.#list);
  readonly #search = createSearch((outcome) => this.#settled(outcome));
  #messages: Partial<Messages> = {};
  #items: Ville[] = [];
  #options: HTMLElement[] = [];
  #active = -1;
  #selected: Ville | null = null;
  #blockedUntil = 0;
  #near: string | null = null;
  #locating = false;

  constructor() {
    super();
    this.#root.adoptedStyleSheets = [styles()];
    this.#root.append(this.#input, this.#list, this.#status, this.#error);
    const input = this.#input;
    input.addEventListener("input", () => this.#onInput());
    input.addEventListener("keydown", (event) => this.#onKeydown(event));
    input.addEventListener("blur", () => this.#close());
    input.addEventListener("focus", () => this.#refreshTexts());
    input.addEventListener("click", () => (this.#popup.open ? this.#close() : this.#open()));
    // mousedown (also fired by a tap) would move focus out of the input before the click lands.
    this.#list.addEventListener("mousedown", (event) => event.preventDefault());
    this.#list.addEventListener("click", (event) => this.#accept(this.#indexOf(event.target)));
    this.#list.addEventListener("pointermove", (event) => {
      const index = this.#indexOf(event.target);
      if (event.pointerType === "mouse" && index >= 0 && index !== this.#active) this.#setActive(index);
    });
    this.#retry.addEventListener("click", () => {
      input.focus();
      this.#request(0);
    });
  }

  connectedCallback() {
    this.#refreshTexts();
    // A <label for> after the element in the page is parsed after the element is upgraded.
    requestAnimationFrame(() => this.#refreshTexts());
    const initial = this.getAttribute("value");
    if (initial && !this.#selected) this.value = initial;
    this.#validate();
  }

  disconnectedCallback() {
    this.#search.cancel();
    this.#close();
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null) {
    if (previous === value) return;
    if (name === "near") {
      this.#near = null;
      this.#locating = false;
    }
    this.#refreshTexts();
    this.#validate();
    // A filter changed while the user is still choosing: ask again at once.
    if (SEARCH_ATTRIBUTES.includes(name) && this.isConnected && !this.#selected) this.#request(0);
  }

  /** The strings shown and announced: the language's defaults (from `lang`, or the page's), then these overrides. */
  get messages(): Messages {
    return { ...messagesFor(this.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang || navigator.language), ...this.#messages };
  }
  set messages(overrides: Partial<Messages>) {
    this.#messages = { ...overrides };
    this.#refreshTexts();
    this.#validate();
  }

  /** The chosen commune's `code_insee`, or "". Setting a code fetches the commune to show its name. */
  get value(): string {
    return this.#selected?.code_insee ?? "";
  }
  set value(code: string) {
    code = String(code ?? "").trim();
    if (code === this.value) return;
    this.#search.cancel();
    this.#input.value = "";
    this.#choose(code ? ({ code_insee: code, nom: "" } as Ville) : null);
    if (!code) return;
    fetch(`${this.#base()}/v1/villes/${encodeURIComponent(code)}`)
      .then((response) => (response.ok ? (response.json() as Promise<Ville>) : null))
      .then((ville) => {
        if (ville && this.value === code) {
          this.#input.value = ville.nom;
          this.#choose(ville);
        }
      })
      .catch(() => {
        // The code stays the form's value; only its name is missing.
      });
  }

  /** The whole chosen commune, as `lieux-select` carried it; null when none is chosen. */
  get selected(): Ville | null {
    return this.#selected;
  }
  get form() {
    return this.#internals.form;
  }
  // Frameworks set known properties rather than attributes: each one reflects its attribute.
  get name() {
    return this.getAttribute("name") ?? "";
  }
  set name(name: string) {
    this.setAttribute("name", name);
  }
  get required() {
    return this.hasAttribute("required");
  }
  set required(required: boolean) {
    this.toggleAttribute("required", Boolean(required));
  }
  get disabled() {
    return this.hasAttribute("disabled");
  }
  set disabled(disabled: boolean) {
    this.toggleAttribute("disabled", Boolean(disabled));
  }
  get validity() {
    return this.#internals.validity;
  }
  get validationMessage() {
    return this.#internals.validationMessage;
  }
  get willValidate() {
    return this.#internals.willValidate;
  }
  checkValidity() {
    return this.#internals.checkValidity();
  }
  reportValidity() {
    return this.#internals.reportValidity();
  }

  formResetCallback() {
    this.#search.cancel();
    this.#input.value = "";
    this.#choose(null);
    this.#clearResults();
    const initial = this.getAttribute("value");
    if (initial) this.value = initial;
  }

  formDisabledCallback(disabled: boolean) {
    this.#input.disabled = disabled;
    if (disabled) this.#close();
  }

  formStateRestoreCallback(state: string | null) {
    try {
      const ville = JSON.parse(state ?? "") as Ville;
      this.#input.value = ville.nom;
      this.#choose(ville);
    } catch {
      // Nothing to restore.
    }
  }

  #base() {
    return (this.getAttribute("api") ?? "").replace(/\/+$/, "");
  }

  #refreshTexts() {
    const t = this.messages;
    const labels = [...(this.#internals.labels as NodeListOf<HTMLLabelElement>)].map((label) => label.textContent?.trim()).filter(Boolean).join(" ");
    const label = this.getAttribute("label") || labels || this.getAttribute("aria-label") || t.label;
    this.#input.setAttribute("aria-label", label);
    this.#list.setAttribute("aria-label", label);
    this.#input.placeholder = this.getAttribute("placeholder") ?? "";
    this.#retry.textContent = t.retry;
  }

  #validate() {
    if (this.hasAttribute("required") && !this.#selected) this.#internals.setValidity({ valueMissing: true }, this.messages.required, this.#input);
    else this.#internals.setValidity({});
  }

  #choose(ville: Ville | null) {
    this.#selected = ville;
    this.#internals.setFormValue(ville?.code_insee ?? null, ville ? JSON.stringify({ code_insee: ville.code_insee, nom: ville.nom }) : null);
    this.#validate();
  }

  #onInput() {
    if (this.#selected) this.#choose(null);
    if (searchable(this.#input.value)) this.#request(Number(this.getAttribute("debounce") ?? DEFAULT_DEBOUNCE_MS));
    else {
      this.#search.cancel();
      this.#clearResults();
    }
  }

  #clearResults() {
    this.#show([], false);
    this.#status.textContent = "";
    this.#showError(null);
  }

  #nearParam(): string | null {
    const near = this.getAttribute("near")?.trim();
    if (near !== "auto") return near || null;
    if (!this.#near && !this.#locating && navigator.geolocation) {
      this.#locating = true;
      navigator.geolocation.getCurrentPosition(
        // Two decimals (about 1 km) are enough to rank nearby places and keep answers cacheable.
        ({ coords }) => (this.#near = `${coords.latitude.toFixed(2)},${coords.longitude.toFixed(2)}`),
        () => undefined,
        { maximumAge: 600_000, timeout: 10_000 },
      );
    }
    return this.#near;
  }

  #request(delayMs: number) {
    const q = this.#input.value.trim();
    if (!searchable(q)) return;
    const wait = Math.ceil((this.#blockedUntil - Date.now()) / 1000);
    if (wait > 0) {
      this.#search.cancel();
      return this.#showError(this.messages.rateLimited(wait));
    }
    const params = new URLSearchParams({ q });
    for (const name of ["limit", "departement", "region", "type"]) {
      const value = this.getAttribute(name);
      if (value) params.set(name, value);
    }
    const near = this.#nearParam();
    if (near) params.set("near", near);
    this.#search.search(`${this.#base()}/v1/villes/autocomplete?${params}`, q, delayMs);
  }

  #settled(outcome: SearchOutcome) {
    const t = this.messages;
    const { response, body } = outcome;
    if (body) {
      const count = body.results.length;
      const fuzzy = body.match === "fuzzy";
      this.#showError(null);
      this.#show(body.results, fuzzy);
      this.#status.textContent = count === 0 ? t.none(outcome.q) : fuzzy ? t.fuzzy(outcome.q, count) : t.results(count);
      return this.#emit("lieux-results", outcome);
    }
    let message = t.offline;
    if (response?.status === 429) {
      const seconds = Number(response.headers.get("Retry-After") ?? Number.NaN);
      const known = Number.isFinite(seconds) && seconds > 0;
      this.#blockedUntil = Date.now() + (known ? seconds : DEFAULT_RATE_LIMIT_PAUSE_S) * 1000;
      message = t.rateLimited(known ? seconds : null);
    } else if (response) message = t.failed(response.status);
    this.#show([], false);
    this.#status.textContent = "";
    this.#showError(message);
    this.#emit("lieux-error", outcome);
  }

  #showError(message: string | null) {
    this.#errorText.textContent = message ?? "";
    this.#error.hidden = message === null;
  }

  #show(items: Ville[], fuzzy: boolean) {
    this.#items = items;
    this.#active = -1;
    this.#input.removeAttribute("aria-activedescendant");
    const template = this.querySelector<HTMLTemplateElement>(':scope > template[slot="item"]');
    this.#options = items.map((ville, index) => {
      const option = h("div", { id: `option-${index}`, role: "option", part: "option", "aria-selected": "false", "data-index": String(index) });
      renderOption(option, ville, () => highlight(ville.nom_highlight, ville.nom), this.renderItem, template);
      return option;
    });
    if (fuzzy && items.length > 0) {
      const hint = h("div", { id: "hint", class: "hint", part: "hint", role: "presentation" }, this.messages.didYouMean);
      this.#list.replaceChildren(h("div", { role: "group", "aria-labelledby": "hint" }, hint, ...this.#options));
    } else this.#list.replaceChildren(...this.#options);
    if (items.length > 0 && this.#root.activeElement === this.#input) this.#open();
    else this.#close();
  }

  #open() {
    if (this.#items.length === 0 || this.#input.disabled) return;
    this.#popup.show();
    this.#input.setAttribute("aria-expanded", "true");
  }

  #close() {
    this.#setActive(-1);
    this.#popup.hide();
    this.#input.setAttribute("aria-expanded", "false");
  }

  #indexOf(target: EventTarget | null): number {
    const option = (target as Element | null)?.closest?.<HTMLElement>("[role=option]");
    return option ? Number(option.dataset.index) : -1;
  }

  #setActive(index: number) {
    const previous = this.#options[this.#active];
    previous?.setAttribute("aria-selected", "false");
    previous?.setAttribute("part", "option");
    this.#active = index;
    const option = this.#options[index];
    if (!option) return this.#input.removeAttribute("aria-activedescendant");
    option.setAttribute("aria-selected", "true");
    option.setAttribute("part", "option option-active");
    this.#input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  #accept(index: number) {
    const ville = this.#items[index];
    if (!ville) return;
    this.#close();
    this.#input.value = ville.nom;
    this.#choose(ville);
    this.#status.textContent = this.messages.selected(ville.nom);
    this.#emit("lieux-select", ville);
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }

  #onKeydown(event: KeyboardEvent) {
    if (event.isComposing) return;
    const count = this.#items.length;
    const open = this.#popup.open;
    const move = (index: number) => {
      event.preventDefault();
      this.#open();
      this.#setActive(index);
    };
    switch (event.key) {
      case "ArrowDown":
        if (count === 0) return;
        if (event.altKey) return move(this.#active);
        return move((this.#active + 1) % count);
      case "ArrowUp":
        if (count === 0) return;
        return move(this.#active <= 0 ? count - 1 : this.#active - 1);
      case "Home":
      case "End":
        // While the list is open they move through it; closed, they move the caret.
        if (open) move(event.key === "Home" ? 0 : count - 1);
        return;
      case "Enter":
        if (open && this.#active >= 0) {
          event.preventDefault();
          this.#accept(this.#active);
        } else if (!open) this.#internals.form?.requestSubmit();
        return;
      case "Escape":
        if (open) {
          event.preventDefault();
          this.#close();
        } else if (this.#input.value) {
          event.preventDefault();
          this.#input.value = "";
          this.#onInput();
        }
        return;
      case "Tab":
        // Tab still moves focus on; an option the user had moved to is taken along.
        if (open && this.#active >= 0) this.#accept(this.#active);
        else this.#close();
    }
  }

  #emit(type: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}
