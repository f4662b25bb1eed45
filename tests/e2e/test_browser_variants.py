"""The asset page's variant switcher in Chromium: a generated asset switches materials on its
one GLB (model-viewer's `variant-name`, no new model), an uploaded one loads the variant's GLB."""

import pytest

from assets.models import Asset
from pipelines.services import pipeline_create, pipeline_run
from tests.assets.factories import AssetFactory, AssetVariantFactory, MaterialPresetFactory
from tests.e2e.test_browser_live_status import browser, live_server_url  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWER_LOADED = (
    "() => customElements.get('model-viewer') && document.getElementById('viewer').loaded"
)


def test_a_generated_asset_switches_variants_without_loading_another_model(
    live_server_url,  # noqa: F811
    browser,  # noqa: F811
    user,
):
    MaterialPresetFactory(slug="gold", name="Gold", base_color="#d4af37", metallic=1.0)
    MaterialPresetFactory(slug="oak", name="Oak", base_color="#8b5a2b", metallic=0.0)
    pipeline, _ = pipeline_create(
        user=user,
        config={"prompt": "a brave knight", "quality": "draft", "presets": ["gold", "oak"]},
        enqueue=False,
    )
    pipeline = pipeline_run(pipeline_id=pipeline.id)
    asset = Asset.objects.get(pk=pipeline.asset_id)
    asset.visibility = "public"
    asset.save(update_fields=["visibility"])
    gold = asset.variants.get(preset__slug="gold")

    page = browser.new_context().new_page()
    page.goto(f"{live_server_url}/assets/{asset.id}/")
    page.wait_for_function(VIEWER_LOADED, timeout=30_000)
    assert page.evaluate("document.getElementById('viewer').availableVariants") == ["Gold", "Oak"]
    src = page.evaluate("document.getElementById('viewer').src")
    page.evaluate("window.__notReloaded = true")

    page.click("a.variant[data-variant-name='Gold']")
    page.wait_for_function("() => document.getElementById('viewer').variantName === 'Gold'")
    # The same file: no geometry reload.
    assert page.evaluate("document.getElementById('viewer').src") == src
    assert page.get_attribute("#download", "href") == gold.model_file.url
    assert page.evaluate("window.__notReloaded") is True

    page.click("a.variant[data-variant-name='']")
    page.wait_for_function("() => document.getElementById('viewer').variantName === null")
    assert page.evaluate("document.getElementById('viewer').src") == src


def test_an_uploaded_asset_loads_the_variants_own_model(live_server_url, browser):  # noqa: F811
    asset = AssetFactory(name="bronze axe", visibility="public")
    variant = AssetVariantFactory(asset=asset, preset=MaterialPresetFactory(name="Copper"))

    page = browser.new_context().new_page()
    page.goto(f"{live_server_url}/assets/{asset.id}/")
    page.wait_for_function(VIEWER_LOADED, timeout=30_000)
    page.click("a.variant[data-variant-name='Copper']")
    page.wait_for_function(
        f"() => document.getElementById('viewer').src === '{variant.model_file.url}'"
    )
    page.wait_for_function(VIEWER_LOADED, timeout=30_000)
