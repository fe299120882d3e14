/**
 * The element's own styles, adopted as a constructable stylesheet: no <style> element and
 * no style attribute, so a page with `style-src 'self'` needs no exception. Every colour is
 * a custom property with a light and a dark default (`light-dark()` follows the page's
 * color-scheme); every piece is also exposed as a ::part().
 */
const CSS = `
:host {
  --_bg: var(--lieux-background, light-dark(#fff, #1f2026));
  --_fg: var(--lieux-color, light-dark(#1b1b1f, #ececf1));
  --_muted: var(--lieux-muted-color, light-dark(#5b5b66, #a9a9b6));
  --_line: var(--lieux-border-color, light-dark(#c9c9d3, #4a4b55));
  --_accent: var(--lieux-accent-color, light-dark(#1b5fc9, #8ab4ff));
  --_active: var(--lieux-active-background, light-dark(#e8f0fd, #2c3a55));
  --_mark: var(--lieux-mark-background, light-dark(#ffe680, #6b5a12));
  --_danger: var(--lieux-error-color, light-dark(#b3261e, #ffb4ab));
  --_radius: var(--lieux-radius, .5rem);
  display: inline-block;
  position: relative;
  width: 100%;
  font: inherit;
  color: var(--_fg);
}
:host([hidden]) { display: none; }
input {
  box-sizing: border-box;
  width: 100%;
  font: inherit;
  color: var(--_fg);
  background: var(--_bg);
  border: 1px solid var(--_line);
  border-radius: var(--_radius);
  padding: var(--lieux-input-padding, .6rem .8rem);
}
input:focus-visible { outline: 3px solid color-mix(in srgb, var(--_accent) 45%, transparent); outline-offset: 1px; }
input:disabled { opacity: .6; }
[role=listbox] {
  position: fixed;
  inset: auto;
  box-sizing: border-box;
  margin: 0;
  padding: .25rem 0;
  overflow-y: auto;
  overscroll-behavior: contain;
  color: var(--_fg);
  background: var(--_bg);
  border: 1px solid var(--_line);
  border-radius: var(--_radius);
  box-shadow: 0 8px 24px rgb(0 0 0 / .18);
  z-index: 2147483647;
}
[role=listbox]:not(:popover-open)[popover], [role=listbox][hidden] { display: none; }
[role=option] {
  display: flex;
  flex-wrap: wrap;
  align-items: baseline;
  justify-content: space-between;
  gap: 0 .75rem;
  min-height: 2.75rem;
  box-sizing: border-box;
  padding: .45rem .8rem;
  cursor: pointer;
}
[role=option][aria-selected=true] { background: var(--_active); box-shadow: inset 3px 0 var(--_accent); }
.name { font-weight: 600; }
.meta, .hint { color: var(--_muted); font-size: .9em; }
.hint { padding: .3rem .8rem; font-style: italic; }
.badge { font-size: .75em; font-weight: 500; color: var(--_muted); border: 1px solid var(--_line); border-radius: 1em; padding: 0 .4em; white-space: nowrap; }
mark { background: var(--_mark); color: inherit; border-radius: .15em; }
.status { min-height: 1.4em; margin: .35rem 0 0; color: var(--_muted); font-size: .9em; }
.error { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem .8rem; margin-top: .4rem; color: var(--_danger); font-size: .95em; }
.error[hidden] { display: none; }
button { font: inherit; padding: .25rem .75rem; color: var(--_bg); background: var(--_accent); border: 0; border-radius: calc(var(--_radius) * .8); cursor: pointer; }
@media (max-width: 30rem) { [role=option] { flex-direction: column; align-items: flex-start; } }
`;

let sheet: CSSStyleSheet | undefined;

/** One sheet shared by every instance on the page. */
export function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}
