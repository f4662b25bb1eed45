"""The Forge skeleton: names, hierarchy, hands, inverse binds, weights and proportions."""

import numpy as np

from assets.glb_container import glb_read
from pipelines.stages.character.body import humanoid_body
from pipelines.stages.character.build import character_build
from pipelines.stages.character.skeleton import (
    FINGERS,
    MIXAMO_NAMES,
    Proportions,
    humanoid_skeleton,
    quadruped_skeleton,
)

VRM_REQUIRED = [
    "hips", "spine", "head", "leftUpperArm", "leftLowerArm", "leftHand", "rightUpperArm",
    "rightLowerArm", "rightHand", "leftUpperLeg", "leftLowerLeg", "leftFoot",
    "rightUpperLeg", "rightLowerLeg", "rightFoot",
]  # fmt: skip


def read_accessor(doc, binary, index):
    accessor = doc["accessors"][index]
    view = doc["bufferViews"][accessor["bufferView"]]
    dtype = {5126: np.float32, 5123: np.uint16, 5121: np.uint8, 5125: np.uint32}[
        accessor["componentType"]
    ]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}[accessor["type"]]
    start = view["byteOffset"] + accessor.get("byteOffset", 0)
    data = np.frombuffer(binary, dtype=dtype, count=accessor["count"] * width, offset=start)
    return data.reshape(accessor["count"], width)


def test_humanoid_has_the_vrm_bones_and_five_three_joint_fingers_per_hand():
    skeleton = humanoid_skeleton()
    assert set(VRM_REQUIRED) <= set(skeleton.names)
    assert skeleton.names[0] == "hips" and skeleton.parents[0] == -1
    for side in ("left", "right"):
        hand = skeleton.index(f"{side}Hand")
        for finger in FINGERS:
            chain = [n for n in skeleton.names if n.startswith(f"{side}{finger}")]
            assert len(chain) == 3
            # A chain: hand -> joint 1 -> joint 2 -> joint 3.
            assert skeleton.parents[skeleton.index(chain[0])] == hand
            assert skeleton.parents[skeleton.index(chain[1])] == skeleton.index(chain[0])
            assert skeleton.parents[skeleton.index(chain[2])] == skeleton.index(chain[1])
    assert len(skeleton.names) == 52
    assert set(MIXAMO_NAMES) == set(skeleton.names)
    assert MIXAMO_NAMES["leftLittleDistal"] == "LeftHandPinky3"
    assert MIXAMO_NAMES["leftUpperLeg"] == "LeftUpLeg"


def test_t_pose_faces_plus_z_with_left_at_plus_x_and_feet_on_the_ground():
    skeleton = humanoid_skeleton(Proportions(height=1.8))
    positions, rotations = skeleton.world_rest()
    assert np.allclose(rotations, [0, 0, 0, 1])
    left_hand, right_hand = (
        positions[skeleton.index("leftHand")],
        positions[skeleton.index("rightHand")],
    )
    shoulder = positions[skeleton.index("leftUpperArm")]
    # Arms straight out along +-X at shoulder height.
    assert left_hand[0] > 0.5 and right_hand[0] < -0.5
    assert abs(left_hand[1] - shoulder[1]) < 1e-9
    assert positions[skeleton.index("leftToes")][2] > positions[skeleton.index("leftFoot")][2]
    body = humanoid_body(skeleton)
    points = np.concatenate([p.positions for p in body])
    assert abs(points[:, 1].max() - 1.8) < 0.06
    assert -0.03 < points[:, 1].min() < 0.02


def test_proportions_change_the_skeleton():
    base = humanoid_skeleton()
    tall = humanoid_skeleton(Proportions(height=2.0, limb_length=1.15, head_size=1.3))
    arm = lambda s: np.linalg.norm(  # noqa: E731
        s.world_rest()[0][s.index("leftHand")] - s.world_rest()[0][s.index("leftUpperArm")]
    )
    assert arm(tall) > arm(base) * 1.15
    assert tall.measures["head"] > base.measures["head"] * 1.2


def test_inverse_bind_matrices_invert_the_bind_pose_and_weights_sum_to_one(full_config):
    doc, binary = glb_read(character_build(full_config).glb)
    skin = doc["skins"][0]
    ibm = read_accessor(doc, binary, skin["inverseBindMatrices"]).reshape(-1, 4, 4)
    ibm = ibm.transpose(0, 2, 1)  # column-major in the file
    world = {}
    for j in skin["joints"]:
        node = doc["nodes"][j]
        m = np.eye(4)
        m[:3, 3] = node.get("translation", [0, 0, 0])
        parent = next((p for p in skin["joints"] if j in doc["nodes"][p].get("children", [])), None)
        world[j] = (world[parent] if parent is not None else np.eye(4)) @ m
    for k, j in enumerate(skin["joints"]):
        assert np.allclose(ibm[k] @ world[j], np.eye(4), atol=1e-5)
    names = [doc["nodes"][j]["name"] for j in skin["joints"]]
    assert names[:6] == ["hips", "spine", "chest", "upperChest", "neck", "head"]
    for mesh in doc["meshes"]:
        for primitive in mesh["primitives"]:
            if "WEIGHTS_0" not in primitive["attributes"]:
                continue
            weights = read_accessor(doc, binary, primitive["attributes"]["WEIGHTS_0"])
            joints = read_accessor(doc, binary, primitive["attributes"]["JOINTS_0"])
            assert weights.shape[1] == 4  # at most four influences
            assert np.allclose(weights.sum(axis=1), 1.0, atol=1e-6)
            assert (weights >= 0).all()
            assert (joints[weights == 0] == 0).all()
            assert joints.max() < len(skin["joints"])


def test_fingers_are_skinned_to_their_own_joints(full_config):
    skeleton = humanoid_skeleton()
    body = humanoid_body(skeleton)
    joints = np.concatenate([p.joints[:, 0] for p in body])
    for name in ("leftIndexDistal", "rightThumbMetacarpal", "rightLittleIntermediate"):
        assert (joints == skeleton.index(name)).sum() > 10


def test_quadruped_has_spine_neck_head_four_legs_and_a_tail():
    skeleton = quadruped_skeleton()
    names = set(skeleton.names)
    assert {"hips", "spine", "chest", "neck", "head", "tail1", "tail2", "tail3"} <= names
    for leg in ("frontLeft", "frontRight", "hindLeft", "hindRight"):
        assert {f"{leg}UpperLeg", f"{leg}LowerLeg", f"{leg}Foot"} <= names


def test_a_skinned_mesh_sits_at_the_root_and_rigid_armor_under_its_bone(full_config):
    doc, _ = glb_read(character_build(full_config).glb)
    roots = doc["scenes"][0]["nodes"]
    skinned = [i for i, n in enumerate(doc["nodes"]) if "skin" in n]
    assert set(skinned) <= set(roots)
    head = next(n for n in doc["nodes"] if n["name"] == "head")
    assert "helmet" in [doc["nodes"][c]["name"] for c in head["children"]]
    hand = next(n for n in doc["nodes"] if n["name"] == "rightHand")
    assert "weapon" in [doc["nodes"][c]["name"] for c in hand["children"]]
