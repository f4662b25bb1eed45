"""Armor fitted to the body: nothing floats, nothing sinks in, through every frame of every clip."""

import numpy as np
import pytest

from pipelines.stages.character.armor import ARMOR_SLOTS, ArmorMesh, fit_armor, fit_report
from pipelines.stages.character.body import humanoid_body
from pipelines.stages.character.clips import HUMANOID_CLIPS, make_clip
from pipelines.stages.character.skeleton import Proportions, humanoid_skeleton

# The fit rule, in metres: every worn-armor vertex stays within MAX_GAP of the body part it
# covers and never goes more than SINK below the nearest body surface; held pieces stay in
# contact (within CONTACT) with the hand or forearm that holds them.
MAX_GAP = 0.05
SINK = 0.002
CONTACT = 0.02


def fitted(proportions, *, gallery=None):
    skeleton = humanoid_skeleton(proportions)
    segments = {}
    body = humanoid_body(skeleton, segments=segments)
    pieces = fit_armor(skeleton, body, list(ARMOR_SLOTS), gallery=gallery, segments=segments)
    return skeleton, body, pieces


@pytest.mark.parametrize(
    "proportions",
    [Proportions(), Proportions(height=2.05, build=1.0, head_size=1.3, limb_length=1.15)],
    ids=["average", "tall-heavy"],
)
def test_armor_stays_on_the_body_through_every_clip(proportions):
    skeleton, body, pieces = fitted(proportions)
    clips = [make_clip(name, skeleton) for name in HUMANOID_CLIPS]
    report = fit_report(skeleton, body, pieces, clips, fps=10)
    assert report.frames > 100
    worn = {p.name for p in pieces if p.slot not in ("shield", "weapon")}
    assert set(report.max_gap) == worn and len(worn) == 8
    assert max(report.max_gap.values()) < MAX_GAP * proportions.height / 1.75
    assert min(report.min_signed.values()) > -SINK
    assert set(report.contact) == {"shield", "weapon"}
    assert max(report.contact.values()) < CONTACT


def test_armor_is_scaled_to_the_body():
    small = {p.name: p for p in fitted(Proportions(height=1.5, build=0.0))[2]}
    large = {p.name: p for p in fitted(Proportions(height=2.1, build=1.0))[2]}
    for name in ("helmet", "breastplate", "leftGauntlet", "rightGreave"):
        size = lambda p: np.ptp(p.piece.positions, axis=0).max()  # noqa: E731
        assert size(large[name]) > size(small[name]) * 1.3


def test_rigid_pieces_ride_their_bone_and_the_breastplate_is_skinned():
    skeleton, _, pieces = fitted(Proportions())
    by_name = {p.name: p for p in pieces}
    assert skeleton.names[by_name["helmet"].bone] == "head"
    assert skeleton.names[by_name["leftPauldron"].bone] == "leftUpperArm"
    assert skeleton.names[by_name["rightGreave"].bone] == "rightLowerLeg"
    assert skeleton.names[by_name["shield"].bone] == "leftLowerArm"
    assert skeleton.names[by_name["weapon"].bone] == "rightHand"
    plate = by_name["breastplate"]
    assert plate.bone is None
    used = {skeleton.names[j] for j in np.unique(plate.piece.joints[plate.piece.weights > 0])}
    assert {"spine", "chest", "upperChest"} <= used


def test_a_gallery_helmet_is_fitted_to_the_head_and_does_not_sink_in():
    # A tall box from the gallery, in its own units: it is scaled into the helmet's place.
    corners = np.array([[x, y, z] for x in (0, 4) for y in (0, 9) for z in (0, 4)], dtype=float)
    triangles = np.array([[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
                          [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]])  # fmt: skip
    skeleton, body, pieces = fitted(
        Proportions(), gallery={"helmet": ArmorMesh(corners, triangles)}
    )
    helmet = next(p for p in pieces if p.slot == "helmet")
    assert helmet.name == "helmet_gallery"
    head = skeleton.world_rest()[0][skeleton.index("head")]
    assert np.ptp(helmet.piece.positions, axis=0).max() < 0.45
    assert np.linalg.norm(helmet.piece.positions.mean(axis=0) - head) < 0.25
    report = fit_report(skeleton, body, [helmet], [make_clip("idle", skeleton)], fps=4)
    assert report.min_signed["helmet_gallery"] > -SINK
