"""A user exports an asset with two variants from its page, watches it finish live, and the
downloaded GLB switches between its variants in model-viewer, in Chromium."""

import pytest

from tests.assets.exports.conftest import generated_asset, presets  # noqa: F401 - fixtures
from tests.e2e.test_browser_live_status import browser, live_server_url, sign_in  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VARIANTS_OF = """async (href) => {
  const within = (promise, what) => Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error("timed out: " + what)), 20000)),
  ]);
  const viewer = document.createElement("model-viewer");
  viewer.id = "exported";
  viewer.setAttribute("loading", "eager");
  viewer.style.cssText = "position: fixed; top: 0; left: 0; width: 320px; height: 320px; z-index: 9";
  const loaded = new Promise((resolve, reject) => {
    viewer.addEventListener("load", resolve, { once: true });
    viewer.addEventListener("error", (e) => reject(new Error("model-viewer error")), { once: true });
  });
  viewer.src = href;
  document.body.appendChild(viewer);
  await within(loaded, "load");
  const names = viewer.availableVariants.slice();
  const active = [];
  for (const name of names.slice().reverse()) {
    const applied = new Promise((resolve) => viewer.addEventListener("variant-applied", resolve, { once: true }));
    viewer.variantName = name;
    await within(applied, "variant " + name);
    active.push(viewer.variantName);
  }
  return { names, active: active.reverse() };
}"""


def test_export_dialog_to_download_and_variant_switching(
    live_server_url,  # noqa: F811
    browser,  # noqa: F811
    user,
    generated_asset,  # noqa: F811
):
    base = live_server_url
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, user)
    page.goto(f"{base}/assets/{generated_asset.pk}/")
    page.click("#export-dialog summary")
    page.select_option("#export-format", "glb")
    page.check("input[name=variants][value=gold]")
    page.check("input[name=variants][value=oak]")
    page.locator("[data-export-estimate]").wait_for(timeout=10_000)
    assert "triangles" in page.locator("#export-estimate").inner_text()
    page.evaluate("window.__notReloaded = true")
    page.click("#export-dialog form button[type=submit]")
    download = page.locator("#export-result [data-export-download]")
    download.wait_for(timeout=60_000)
    assert page.evaluate("window.__notReloaded") is True
    href = download.get_attribute("href")
    assert href.startswith("/exports/download/")

    result = page.evaluate(VARIANTS_OF, href)
    assert result["names"] == ["Original", "Gold", "Oak"]
    assert result["active"] == result["names"]  # each variant applied in turn
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
