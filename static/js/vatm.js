// The VATM shortcuts of the results page (9.3.3): "All four hold" per unit, and one rule for every
// unit per column. Progressive enhancement only: the buttons stay hidden without JavaScript, where
// the four checkboxes of each unit still work; the server still refuses K without all four.
(function () {
  "use strict";
  const RULES = ["valid", "authentic", "current", "sufficient"];

  function enhance(table) {
    const rows = Array.from(table.querySelectorAll("tbody tr"));
    const box = (row, rule) => row.querySelector('input[data-vatm-rule="' + rule + '"]');
    const rowBoxes = (row) => RULES.map((rule) => box(row, rule)).filter(Boolean);
    const columnBoxes = (rule) => rows.map((row) => box(row, rule)).filter(Boolean);
    const allTicked = (boxes) => boxes.length > 0 && boxes.every((b) => b.checked);
    const press = (button, pressed) => {
      button.setAttribute("aria-pressed", String(pressed));
      button.classList.toggle("active", pressed);
    };
    // Press again to clear: the buttons toggle, and show whether their boxes are all ticked.
    const toggle = (boxes) => {
      const value = !allTicked(boxes);
      boxes.forEach((b) => {
        b.checked = value;
      });
      refresh();
    };

    function refresh() {
      rows.forEach((row) => {
        const button = row.querySelector("[data-vatm-row]");
        if (button) press(button, allTicked(rowBoxes(row)));
      });
      table.querySelectorAll("[data-vatm-column]").forEach((button) => {
        press(button, allTicked(columnBoxes(button.dataset.vatmColumn)));
      });
    }

    rows.forEach((row) => {
      const button = row.querySelector("[data-vatm-row]");
      if (button) button.addEventListener("click", () => toggle(rowBoxes(row)));
    });
    table.querySelectorAll("[data-vatm-column]").forEach((button) => {
      button.addEventListener("click", () => toggle(columnBoxes(button.dataset.vatmColumn)));
    });
    table.addEventListener("change", refresh);
    document.querySelectorAll("[data-vatm-shortcut]").forEach((element) => {
      element.hidden = false;
    });
    refresh();
  }

  function init() {
    document.querySelectorAll("[data-vatm-table]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
