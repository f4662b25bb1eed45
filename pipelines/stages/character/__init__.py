"""Pure character stages: skeletons, skinned bodies, armor fitting, clips, retargeting, GLB.

Nothing here touches the database: configurations and GLB bytes in, GLB bytes and figures
out. `build.character_build` is the stage the `character` run kind and the editor's draft
preview call.
"""
