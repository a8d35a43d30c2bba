/* Any <table class="sortable">: its column headings become buttons that sort the body rows.
   Numbers, pounds (£1,234.56) and percentages sort as numbers; a dash (no figure yet) sorts last.
   A second press reverses the order. The heading's aria-sort says how the table is sorted, so a
   screen reader announces it; the buttons are reachable and pressed with the keyboard. */
(function () {
  "use strict";

  var NUMBER = /^[−\-]?£?[−\-]?[\d,]*\.?\d+%?$/;

  function sortKey(cell) {
    var text = (cell.getAttribute("data-sort") || cell.textContent).trim();
    var first = text.split(/\s+\(/)[0].replace(/\s/g, "");  // "478.4 (461.7 to 495.5)" sorts by 478.4
    if (NUMBER.test(first)) {
      var negative = /[−\-]/.test(first);
      var value = parseFloat(first.replace(/[£,%−\-]/g, ""));
      return { number: negative ? -value : value, text: text };
    }
    return { number: null, text: text.toLocaleLowerCase("en-GB") };
  }

  function compare(a, b) {
    var blankA = a.text === "—" || a.text === "", blankB = b.text === "—" || b.text === "";
    if (blankA || blankB) { return blankA === blankB ? 0 : (blankA ? 1 : -1); }
    if (a.number !== null && b.number !== null) { return a.number - b.number; }
    if (a.number !== null) { return -1; }
    if (b.number !== null) { return 1; }
    return a.text.localeCompare(b.text, "en-GB", { numeric: true });
  }

  function sortBy(table, column, heading) {
    var body = table.tBodies[0];
    var ascending = heading.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      return { row: row, index: index, key: sortKey(row.cells[column]) };
    });
    rows.sort(function (a, b) {
      var order = compare(a.key, b.key);
      var blank = a.key.text === "—" || b.key.text === "—";
      if (!ascending && !blank) { order = -order; }
      return order || a.index - b.index;  // stable: equal rows keep their order
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enhance(table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (heading, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (heading.firstChild) { button.appendChild(heading.firstChild); }
      heading.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, column, heading); });
    });
    table.classList.add("sortable-ready");
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), enhance);
  });
}());
