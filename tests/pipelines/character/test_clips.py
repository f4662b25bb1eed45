"""Procedural clips: fingers move in wave and grip, loops loop, attack only when armed."""

import numpy as np
import pytest

from assets.glb_container import glb_read
from pipelines.stages.character.build import character_build, clip_names
from pipelines.stages.character.clips import HUMANOID_CLIPS, clip_sample, make_clip
from pipelines.stages.character.skeleton import humanoid_skeleton, quadruped_skeleton, world_pose
from pipelines.stages.character.transforms import quat_rotate

SKELETON = humanoid_skeleton()


def fingertip_in_hand(clip, time, side="right", finger="Index"):
    """Return the fingertip joint's position in the hand's frame at `time`."""
    local, root = clip_sample(clip, SKELETON, time)
    positions, rotations = world_pose(SKELETON, local, root)
    hand = SKELETON.index(f"{side}Hand")
    tip = SKELETON.index(f"{side}{finger}Distal")
    inverse = rotations[hand] * np.array([-1, -1, -1, 1])
    return quat_rotate(inverse, positions[tip] - positions[hand])


@pytest.mark.parametrize("finger", ["Thumb", "Index", "Middle", "Ring", "Little"])
def test_the_waving_hand_opens_and_closes_every_finger(finger):
    clip = make_clip("wave", SKELETON)
    tips = np.array([fingertip_in_hand(clip, t, finger=finger) for t in clip.times])
    travel = np.linalg.norm(tips - tips[0], axis=1).max()
    assert travel > 0.005  # metres of the last joint, in the hand frame: the finger itself moves


def test_grip_closes_the_fingers_around_the_held_item():
    clip = make_clip("grip", SKELETON)
    assert not clip.loop
    open_, closed = fingertip_in_hand(clip, 0.0), fingertip_in_hand(clip, clip.duration)
    # Palm faces -Y in the hand's frame: a closed finger's tip is below the palm and nearer.
    assert closed[1] < open_[1] - 0.03
    assert np.linalg.norm(closed) < np.linalg.norm(open_) - 0.03


@pytest.mark.parametrize("name", ["idle", "walk", "run", "wave", "attack"])
def test_looping_clips_end_where_they_start(name):
    clip = make_clip(name, SKELETON)
    assert clip.loop
    for keys in clip.rotations.values():
        assert abs(abs(np.dot(keys[0], keys[-1])) - 1) < 1e-9


def test_walk_moves_the_legs_and_bobs_the_hips():
    clip = make_clip("walk", SKELETON)
    left = clip.rotations["leftUpperLeg"]
    assert np.degrees(2 * np.arccos(np.clip(np.abs(left[:, 3]), 0, 1))).max() > 20
    hips = clip.translations["hips"][:, 1]
    assert hips.max() - hips.min() > 0.01


def test_attack_is_only_for_armed_characters(full_config):
    assert "attack" in clip_names(full_config)
    full_config["held"] = ["shield"]
    assert "attack" not in clip_names(full_config)
    doc, _ = glb_read(character_build(full_config, draft=True).glb)
    assert [a["name"] for a in doc["animations"]] == ["idle", "walk", "run", "wave", "grip"]


def test_clips_in_the_glb_are_named_and_flag_looping(full_config):
    doc, _ = glb_read(character_build(full_config, draft=True).glb)
    animations = {a["name"]: a for a in doc["animations"]}
    assert list(animations) == list(HUMANOID_CLIPS)
    assert animations["walk"]["extras"]["forge_loop"] is True
    assert animations["grip"]["extras"]["forge_loop"] is False
    for animation in animations.values():
        times = doc["accessors"][animation["samplers"][0]["input"]]
        assert "min" in times and "max" in times


def test_quadrupeds_walk_on_four_legs():
    skeleton = quadruped_skeleton()
    clip = make_clip("walk", skeleton)
    assert {"frontLeftUpperLeg", "hindRightUpperLeg", "tail1"} <= set(clip.rotations)
    with pytest.raises(ValueError):
        make_clip("wave", skeleton)
