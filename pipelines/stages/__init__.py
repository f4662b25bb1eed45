"""The pipeline's stages: pure functions from inputs (and a provider) to outputs.

Stages never touch the database or storage; each run kind's recipe (`pipelines.kinds`)
says in which order they run, and the engine (`pipelines.services`) loads their inputs,
checkpoints their outputs and records their progress.
"""
