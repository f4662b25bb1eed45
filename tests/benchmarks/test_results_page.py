"""Benchmarks write their figures into their own section of docs/benchmarks.md, nothing else."""

from benchmarks import common

PAGE = """# Benchmarks

## Pipelines

old figures

Prose that quotes `## Pipelines: stage overhead` (the section below) and goes on.

### A subsection

kept

## Pipelines: stage overhead

old overhead

## Cluster

cluster figures
"""


def test_a_section_is_replaced_at_its_heading_not_where_prose_quotes_it(tmp_path, monkeypatch):
    page = tmp_path / "benchmarks.md"
    page.write_text(PAGE)
    monkeypatch.setattr(common, "RESULTS_PAGE", page)
    common.results_section_write(
        "Pipelines: stage overhead", "## Pipelines: stage overhead\n\nnew\n"
    )
    assert page.read_text() == PAGE.replace("old overhead", "new")
    common.results_section_write("Pipelines", "## Pipelines\n\nnew figures\n\n")
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\n## Pipelines\n\nnew figures\n\n## Pipelines: stage")
    assert "Prose that quotes" not in text  # it belonged to the replaced section
    assert text.endswith("## Cluster\n\ncluster figures\n")


def test_a_new_section_is_appended(tmp_path, monkeypatch):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\n## Cluster\n\nc\n")
    monkeypatch.setattr(common, "RESULTS_PAGE", page)
    common.results_section_write("Floor (gallery)", "## Floor (gallery)\n\nf\n")
    assert page.read_text() == "# Benchmarks\n\n## Cluster\n\nc\n\n## Floor (gallery)\n\nf\n"


def test_a_reading_written_by_hand_below_the_marker_survives_a_rewrite(tmp_path, monkeypatch):
    reading = f"{common.KEPT_MARKER}\n\nReading: what the figures mean.\n"
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Benchmarks\n\n## Floor\n\nold figures\n\n{reading}\n## Cluster\n\nc\n")
    monkeypatch.setattr(common, "RESULTS_PAGE", page)
    common.results_section_write("Floor", "## Floor\n\nnew figures\n")
    assert page.read_text() == (
        f"# Benchmarks\n\n## Floor\n\nnew figures\n\n{reading}\n## Cluster\n\nc\n"
    )
    common.results_section_write("Cluster", "## Cluster\n\nd\n")  # the last section, too
    page.write_text(page.read_text().replace("## Cluster\n\nd\n", f"## Cluster\n\nd\n\n{reading}"))
    common.results_section_write("Cluster", "## Cluster\n\ne\n")
    assert page.read_text().endswith(f"## Cluster\n\ne\n\n{reading}")
