"""Procedural building blocks of the local provider: geometry, materials, prompts, GLB I/O."""
