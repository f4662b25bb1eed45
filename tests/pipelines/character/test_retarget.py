"""Retargeting between Forge and Mixamo skeletons, and clips for uploaded rigged GLBs."""

import numpy as np
import pytest

from assets.glb_container import glb_read
from pipelines.stages.character.body import humanoid_body
from pipelines.stages.character.build import MATERIALS, _materials
from pipelines.stages.character.clips import HUMANOID_CLIPS, make_clip
from pipelines.stages.character.gltf import character_glb
from pipelines.stages.character.retarget import (
    RigError,
    bone_mapping,
    glb_with_clips,
    humanoid_name,
    mixamo_skeleton,
    retarget_clip,
    retarget_error,
    rig_report,
    rigged_skeleton,
)
from pipelines.stages.character.skeleton import Proportions, humanoid_skeleton
from tests.gltf_validator import validate_glb

TOLERANCE = 0.5  # degrees between source and target world bone directions
FORGE = humanoid_skeleton()


@pytest.mark.parametrize("name", HUMANOID_CLIPS)
@pytest.mark.parametrize("a_pose", [False, True], ids=["t-pose", "a-pose"])
def test_forge_clips_play_on_a_larger_mixamo_skeleton(name, a_pose):
    target = mixamo_skeleton(FORGE, scale=1.15, a_pose=a_pose)
    assert len(bone_mapping(FORGE, target)) == 52
    clip = make_clip(name, FORGE)
    moved = retarget_clip(clip, FORGE, target)
    assert set(moved.rotations) <= set(target.names)
    assert retarget_error(clip, FORGE, moved, target) < TOLERANCE


def test_without_rest_alignment_an_a_pose_keeps_its_45_degree_offset():
    target = mixamo_skeleton(FORGE, a_pose=True)
    clip = make_clip("walk", FORGE)
    moved = retarget_clip(clip, FORGE, target, align_rest=False)
    assert retarget_error(clip, FORGE, moved, target) == pytest.approx(45.0, abs=0.5)


def test_mixamo_clips_come_back_to_forge_and_between_proportions():
    mixamo = mixamo_skeleton(FORGE, scale=0.9, a_pose=True)
    clip = retarget_clip(make_clip("wave", FORGE), FORGE, mixamo)
    back = retarget_clip(clip, mixamo, FORGE)
    assert retarget_error(clip, mixamo, back, FORGE) < TOLERANCE
    tall = humanoid_skeleton(Proportions(height=2.0, limb_length=1.15, head_size=1.3))
    onto_tall = retarget_clip(make_clip("run", FORGE), FORGE, tall)
    assert retarget_error(make_clip("run", FORGE), FORGE, onto_tall, tall) < TOLERANCE
    # The hips travel in proportion to the hip height.
    bob = np.ptp(onto_tall.translations["hips"][:, 1])
    assert bob > np.ptp(make_clip("run", FORGE).translations["hips"][:, 1])


@pytest.mark.parametrize(
    ("name", "bone"),
    [("mixamorig:LeftForeArm", "leftLowerArm"), ("mixamorig1:Spine1", "chest"),
     ("mixamorigRightHandPinky2", "rightLittleIntermediate"), ("LeftUpLeg", "leftUpperLeg"),
     ("upper_arm.L", "leftUpperArm"), ("Hip", "hips"), ("leftThumbDistal", "leftThumbDistal"),
     ("tail", None)],
)  # fmt: skip
def test_joint_names_are_recognised_in_any_common_spelling(name, bone):
    assert humanoid_name(name) == bone


def mixamo_glb() -> bytes:
    """A rigged character as another tool would export it: Mixamo names, bone-aligned frames."""
    skeleton = mixamo_skeleton(FORGE)
    body = humanoid_body(FORGE, detail="draft")
    data = {"colours": {MATERIALS[m][1]: "#808080" for m in MATERIALS}}
    return character_glb(skeleton, body, [], [], _materials(data, body))


def test_an_uploaded_rigged_glb_is_recognised_and_receives_forge_clips():
    glb = mixamo_glb()
    report = rig_report(glb)
    assert report["humanoid"] is True
    assert report["joint_count"] == 52 and report["clips"] == []
    target, _ = rigged_skeleton(glb)
    clips = [retarget_clip(make_clip(n, FORGE), FORGE, target) for n in ("walk", "wave")]
    out = glb_with_clips(glb, clips)
    doc, _ = glb_read(out)
    assert [a["name"] for a in doc["animations"]] == ["walk", "wave"]
    issues = validate_glb(out)["issues"]
    assert (issues["numErrors"], issues["numWarnings"]) == (0, 0)
    # The clip, read back from the file, still matches the source motion.
    target_again, _ = rigged_skeleton(out)
    assert retarget_error(make_clip("wave", FORGE), FORGE, clips[1], target_again) < TOLERANCE
    # Adding the same clip again keeps both, under distinct names.
    again = glb_with_clips(out, [retarget_clip(make_clip("walk", FORGE), FORGE, target)])
    assert [a["name"] for a in glb_read(again)[0]["animations"]] == ["walk", "wave", "walk_2"]


def test_a_glb_without_a_skin_is_refused(full_config):
    from pipelines.providers.local import LocalProvider

    plain = LocalProvider().text_to_3d(
        prompt="a crate", negative_prompt="", kind="", art_style="realistic", quality="draft",
        seed=1, should_cancel=lambda: False,
    ).glb  # fmt: skip
    with pytest.raises(RigError, match="not rigged"):
        rig_report(plain)


@pytest.mark.parametrize("name", HUMANOID_CLIPS)
def test_joint_rotations_match_between_forge_and_mixamo_skeletons(name):
    """Each mapped joint turns by the same world rotation from its rest, key by key."""
    from pipelines.stages.character.skeleton import world_pose
    from pipelines.stages.character.transforms import quat_angle, quat_inv, quat_mul

    target = mixamo_skeleton(FORGE, scale=1.15)
    clip = make_clip(name, FORGE)
    moved = retarget_clip(clip, FORGE, target)
    mapping = bone_mapping(FORGE, target)

    def deltas(skeleton, c, k):
        local = skeleton.rotations.copy()
        for joint, values in c.rotations.items():
            local[skeleton.index(joint)] = values[k]
        posed = world_pose(skeleton, local)[1]
        rest = world_pose(skeleton, skeleton.rotations)[1]
        return {n: quat_mul(posed[i], quat_inv(rest[i])) for i, n in enumerate(skeleton.names)}

    worst = 0.0
    for k in range(len(clip.times)):
        src, tgt = deltas(FORGE, clip, k), deltas(target, moved, k)
        worst = max(worst, max(float(quat_angle(src[s], tgt[t])) for t, s in mapping.items()))
    assert worst < TOLERANCE
