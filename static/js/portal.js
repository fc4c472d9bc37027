// lsp_portal: progressive enhancements only; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive actions (remove a file, withdraw an application).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // FR.MAPA.02 on the plan page: choosing a method ticks its usual instrument in the same row,
  // unless one of that method's instruments is ticked already.
  document.querySelectorAll("td[data-methods] input[type=checkbox]").forEach((box) => {
    box.addEventListener("change", () => {
      const cell = box.closest("tr")?.querySelector("td[data-instruments]");
      if (!cell || !box.checked) return;
      const own = cell.querySelectorAll(`[data-method="${box.value}"] input`);
      if ([...own].some((input) => input.checked)) return;
      cell.querySelectorAll(`[data-method="${box.value}"][data-default] input`).forEach((input) => {
        input.checked = true;
      });
    });
  });
});
