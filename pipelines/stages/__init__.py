"""The pipeline's stages: pure functions from inputs (and a provider) to outputs.

Stages never touch the database or storage; the orchestrator in `pipelines.services`
loads their inputs, checkpoints their outputs and records their progress.
"""
