// Switch the viewer between material variants in place; without JavaScript the links reload.
// A variant the asset's own GLB carries (KHR_materials_variants) is shown with model-viewer's
// variant-name on that one file, without loading geometry again; any other variant (added
// later, or an uploaded model without variants) loads its own GLB.
(function () {
  const viewer = document.getElementById("viewer");
  const download = document.getElementById("download");
  const label = document.getElementById("download-label");
  if (!viewer) return;
  const name = viewer.dataset.assetName || "";
  const assetModel = viewer.dataset.assetModel || "";

  function showsAssetModel() {
    return viewer.src === assetModel;
  }

  function carried(variantName) {
    // Once the asset's model is loaded, trust what it says it carries.
    if (showsAssetModel() && viewer.loaded && Array.isArray(viewer.availableVariants)) {
      return viewer.availableVariants.indexOf(variantName) !== -1;
    }
    return true;
  }

  function show(link) {
    const variantName = link.dataset.variantName || "";
    const inModel = link.dataset.inModel === "true";
    if (variantName === "" || (inModel && carried(variantName))) {
      if (!showsAssetModel()) {
        viewer.poster = link.dataset.poster;
        viewer.src = assetModel;
      }
      viewer.variantName = variantName || null;
    } else {
      viewer.variantName = null;
      viewer.poster = link.dataset.poster;
      viewer.src = link.dataset.model;
    }
  }

  document.querySelectorAll("a.variant[data-model]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!customElements.get("model-viewer")) return;
      event.preventDefault();
      show(link);
      viewer.alt = "3D model of " + name + (link.dataset.label ? " in " + link.dataset.label : "");
      if (download) download.href = link.dataset.model;
      if (label) label.textContent = link.dataset.label ? " (" + link.dataset.label + ")" : "";
      document.querySelectorAll("a.variant").forEach(function (other) { other.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "true");
      history.replaceState(null, "", link.getAttribute("href"));
    });
  });
})();
