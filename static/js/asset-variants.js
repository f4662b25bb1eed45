// Swap the viewer to a variant in place; without JavaScript the links reload the page.
(function () {
  const viewer = document.getElementById("viewer");
  const download = document.getElementById("download");
  const label = document.getElementById("download-label");
  if (!viewer) return;
  const name = viewer.dataset.assetName || "";
  document.querySelectorAll("a.variant[data-model]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!customElements.get("model-viewer")) return;
      event.preventDefault();
      viewer.poster = link.dataset.poster;
      viewer.src = link.dataset.model;
      viewer.alt = "3D model of " + name + (link.dataset.label ? " in " + link.dataset.label : "");
      if (download) download.href = link.dataset.model;
      if (label) label.textContent = link.dataset.label ? " (" + link.dataset.label + ")" : "";
      document.querySelectorAll("a.variant").forEach(function (other) { other.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "true");
      history.replaceState(null, "", link.getAttribute("href"));
    });
  });
})();
