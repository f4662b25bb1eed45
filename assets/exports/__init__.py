"""Exports: an asset (or several) out in the formats game engines and tools use.

The run itself is a pipeline of kind `export` (`pipelines/kinds/export.py`); this package
holds what belongs to the asset side: the export job and its result files, presets, the
size estimate, signed download links, the rate limit, cleanup, the API and the pages.
"""
