// API documentation (Swagger UI): give a name to the controls Swagger UI renders
// without one (the value lists of enum parameters), as it draws and redraws them.
// A static file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  function nameControls(root) {
    root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", el.closest("tr").dataset.paramName);
    });
    root.querySelectorAll(".responses-inner select:not([aria-label]), .content-type-wrapper select:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Media type");
    });
  }
  var target = document.getElementById("swagger-ui");
  new MutationObserver(function () { nameControls(target); }).observe(target, {
    childList: true,
    subtree: true,
  });
})();
