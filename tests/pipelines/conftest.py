import pytest

from tests.gltf_validator import validate_glb
from tests.pipelines.providers import TEST_PROVIDERS


@pytest.fixture
def presets(db):
    from tests.assets.factories import MaterialPresetFactory

    return [
        MaterialPresetFactory(slug="gold", name="Gold", base_color="#d4af37", metallic=1.0),
        MaterialPresetFactory(
            slug="oak", name="Oak", category="wood", base_color="#8b5a2b", metallic=0.0
        ),
    ]


@pytest.fixture
def provider_dir(tmp_path, monkeypatch):
    """Register the test providers and give them a fresh call-count directory."""
    from django.conf import settings

    calls = tmp_path / "provider-calls"
    calls.mkdir()
    monkeypatch.setenv("FORGE_TEST_PROVIDER_DIR", str(calls))
    monkeypatch.setattr(settings, "FORGE_PROVIDERS", dict(TEST_PROVIDERS))
    monkeypatch.setattr(settings, "FORGE_ENABLED_PROVIDERS", list(TEST_PROVIDERS))
    return calls


def gltf_errors(glb: bytes) -> int:
    """Return the number of errors the Khronos glTF validator reports for `glb`."""
    return validate_glb(glb)["issues"]["numErrors"]
