/**
 * The WAI-ARIA 1.2 combobox with a listbox popup and list autocomplete: focus stays in the
 * input, `aria-activedescendant` names the option the arrows moved to, and Enter (or Tab,
 * or a click or tap) accepts it.
 */
export function createCombobox({ input, listbox, renderOption, onAccept }) {
  let items = [];
  let active = -1;

  const optionAt = (index) => listbox.children[index];
  const isOpen = () => input.getAttribute("aria-expanded") === "true";

  function setActive(index) {
    optionAt(active)?.setAttribute("aria-selected", "false");
    active = index;
    const option = optionAt(active);
    if (!option) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    option.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function open() {
    if (items.length === 0) return;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    setActive(-1);
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function accept(index) {
    const item = items[index];
    if (!item) return;
    close();
    onAccept(item);
  }

  function show(results) {
    items = results;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    listbox.replaceChildren(
      ...results.map((item, index) => {
        const option = renderOption(item);
        option.id = `${listbox.id}-${index}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        return option;
      }),
    );
    if (results.length > 0 && document.activeElement === input) open();
    else close();
  }

  input.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    const count = items.length;
    switch (event.key) {
      case "ArrowDown":
        if (count === 0) return;
        event.preventDefault();
        if (!isOpen()) open();
        if (!event.altKey) setActive((active + 1) % count);
        break;
      case "ArrowUp":
        if (count === 0) return;
        event.preventDefault();
        if (!isOpen()) open();
        setActive(active <= 0 ? count - 1 : active - 1);
        break;
      case "Enter":
        if (isOpen() && active >= 0) {
          event.preventDefault();
          accept(active);
        }
        break;
      case "Escape":
        event.preventDefault();
        if (isOpen()) close();
        else if (input.value) {
          input.value = "";
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
        break;
      case "Tab":
        // Tab still moves focus on; an option the user had moved to is taken along.
        if (isOpen() && active >= 0) accept(active);
        else close();
        break;
    }
  });

  // mousedown would blur the input and close the list before the click lands.
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) accept([...listbox.children].indexOf(option));
  });
  listbox.addEventListener("pointermove", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option && event.pointerType === "mouse") setActive([...listbox.children].indexOf(option));
  });
  input.addEventListener("click", () => (isOpen() ? close() : open()));
  input.addEventListener("blur", close);

  return { show, close, isOpen };
}
