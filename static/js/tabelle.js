// Wide tables scroll inside their .table-responsive box, never the page. When a table
// is wider than its box, the box says so (a visible hint above it) and becomes a named,
// focusable region so keyboard users can scroll it with the arrow keys. Charts on
// narrow screens (.grafico-svg, kept readable by a minimum width in zonale.css) too.
// A static file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var HINT_CLASS = "tabella-scorre-avviso";

  var BOXES = ".table-responsive, .grafico-svg";

  function label(box) {
    var caption = box.querySelector("caption");
    var text = caption ? caption.textContent.trim() : "";
    var svg = box.querySelector("svg[aria-label]");
    if (!text && svg) text = svg.getAttribute("aria-label");
    return text || document.body.dataset.tabellaNome || "";
  }

  function hintText(box) {
    var data = document.body.dataset;
    return (box.classList.contains("grafico-svg") ? data.graficoScorre : data.tabellaScorre) || "";
  }

  function update(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    var hint = box.previousElementSibling;
    var hasHint = hint && hint.classList.contains(HINT_CLASS);
    box.classList.toggle("tabella-scorre", scrolls);
    // The caption (a table's title) wraps within the visible box instead of running
    // off with the columns. Set from script: CSSOM styles are allowed by the CSP.
    var caption = box.querySelector("caption");
    if (caption) caption.style.maxWidth = scrolls ? box.clientWidth + "px" : "";
    if (scrolls) {
      if (!hasHint) {
        hint = document.createElement("p");
        hint.className = HINT_CLASS + " small";
        hint.id = "avviso-" + Math.random().toString(36).slice(2, 9);
        hint.textContent = hintText(box);
        box.parentNode.insertBefore(hint, box);
      }
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", label(box));
      box.setAttribute("aria-describedby", hint.id);
    } else {
      if (hasHint) hint.remove();
      ["tabindex", "role", "aria-label", "aria-describedby"].forEach(function (a) {
        box.removeAttribute(a);
      });
    }
  }

  function updateAll(root) {
    (root || document).querySelectorAll(BOXES).forEach(update);
  }

  var pending = null;
  function onResize() {
    if (pending) window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(function () { updateAll(); });
  }

  document.addEventListener("DOMContentLoaded", function () { updateAll(); });
  window.addEventListener("resize", onResize);
  // The dashboard and the grids swap parts of the page with htmx.
  document.addEventListener("htmx:afterSettle", function (event) { updateAll(event.target); });
})();
