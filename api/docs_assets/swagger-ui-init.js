// Starts Swagger UI on the docs page (api/templates/swagger_ui.html). A file, not an inline script, so
// the page needs no 'unsafe-inline' in its Content-Security-Policy; the settings come from data attributes.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  var config = { url: container.dataset.specUrl, dom_id: "#swagger-ui-container" };
  var overrides = JSON.parse(container.dataset.config || "{}");
  Object.keys(overrides).forEach(function (name) { config[name] = overrides[name]; });
  window.addEventListener("load", function () { window.ui = SwaggerUIBundle(config); });
})();
