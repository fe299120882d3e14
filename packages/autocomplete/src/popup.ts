const GAP_PX = 4;
const MAX_HEIGHT_PX = 384;
const supportsPopover = typeof HTMLElement !== "undefined" && Object.hasOwn(HTMLElement.prototype, "popover");

/**
 * The list lives in the top layer (a manual popover) and is placed with position: fixed
 * under the input, or above it when there is more room there: no overflow: hidden or
 * z-index of an ancestor can clip or cover it. Positions are set through the CSSOM, which
 * a Content-Security-Policy does not restrict.
 */
export function createPopup(anchor: HTMLElement, list: HTMLElement) {
  if (supportsPopover) list.popover = "manual";
  else list.hidden = true;
  let open = false;

  function place() {
    const box = anchor.getBoundingClientRect();
    const below = innerHeight - box.bottom - GAP_PX * 2;
    const above = box.top - GAP_PX * 2;
    const up = below < 160 && above > below;
    Object.assign(list.style, {
      left: `${Math.max(0, box.left)}px`,
      width: `${box.width}px`,
      top: up ? "auto" : `${box.bottom + GAP_PX}px`,
      bottom: up ? `${innerHeight - box.top + GAP_PX}px` : "auto",
      maxHeight: `${Math.max(96, Math.min(MAX_HEIGHT_PX, up ? above : below))}px`,
    });
  }

  return {
    get open() {
      return open;
    },
    show() {
      if (open) return place();
      open = true;
      if (supportsPopover) list.showPopover();
      else list.hidden = false;
      place();
      addEventListener("scroll", place, { capture: true, passive: true });
      addEventListener("resize", place, { passive: true });
    },
    hide() {
      if (!open) return;
      open = false;
      if (supportsPopover) list.matches(":popover-open") && list.hidePopover();
      else list.hidden = true;
      removeEventListener("scroll", place, { capture: true });
      removeEventListener("resize", place);
    },
  };
}
