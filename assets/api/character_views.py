"""The characters API: configurations CRUD, build, clips and retargeting."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.api.character_serializers import (
    CharacterBuildOutputSerializer,
    CharacterClipOutputSerializer,
    CharacterInputSerializer,
    CharacterOutputSerializer,
    CharacterRetargetInputSerializer,
    CharacterUpdateInputSerializer,
    RigClipsInputSerializer,
    RigReportOutputSerializer,
)
from assets.api.serializers import AssetDetailOutputSerializer, asset_detail_output
from assets.character_selectors import (
    character_clips,
    character_get_for_user,
    character_list_for_user,
)
from assets.character_services import (
    character_build_start,
    character_clip_borrow,
    character_create,
    character_delete,
    character_update,
    rigged_asset_clips_add,
)
from assets.selectors import asset_get_for_user
from forge.exceptions import ValidationFailedError
from forge.shared_serializers import represent, represent_many


def _character(character) -> dict:
    return represent(CharacterOutputSerializer, character)


class CharacterListCreateApi(APIView):
    """List your characters, or save a new one (private unless you say otherwise)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CharacterOutputSerializer(many=True), operation_id="characters_list")
    def get(self, request):
        rows = character_list_for_user(user=request.user)[:200]
        return Response([_character(c) for c in rows])

    @extend_schema(
        request=CharacterInputSerializer,
        responses={201: CharacterOutputSerializer},
        operation_id="characters_create",
        description=(
            "`data` is the configuration: `species` (humanoid|quadruped), `body` (height "
            "1.2-2.3 m, build 0-1, head_size 0.8-1.4, limb_length 0.85-1.15), `colours` "
            "(#rrggbb per part), `armor` (helmet, breastplate, pauldrons, gauntlets, greaves), "
            "`held` (shield, weapon), `gallery_armor` (slot -> your armor/weapon asset id), "
            "`clips` (idle, walk, run, wave, grip, attack), `presets` (material preset slugs "
            "for variants, at most 4), `borrowed_clips` ([{name, source, clip}]). Missing "
            "fields take their defaults; unknown ones are a 400 naming their path "
            "(`data.body.heigth`)."
        ),
    )
    def post(self, request):
        params = CharacterInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        character = character_create(owner=request.user, **params.validated_data)
        return Response(_character(character), status=status.HTTP_201_CREATED)


class CharacterDetailApi(APIView):
    """One of your characters: read, change (a new version when the configuration changes), delete."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CharacterOutputSerializer, operation_id="characters_retrieve")
    def get(self, request, character_id):
        return Response(_character(character_get_for_user(user=request.user,
                                                          character_id=character_id)))  # fmt: skip

    @extend_schema(
        request=CharacterUpdateInputSerializer,
        responses=CharacterOutputSerializer,
        operation_id="characters_update",
        description=(
            "Only what is sent changes. `data` is a JSON merge patch (RFC 7386) of the stored "
            "configuration: objects (`body`, `colours`, `gallery_armor`) merge key by key, "
            "`null` removes a key (it takes its default again), lists and other values "
            "replace the stored ones. The merged configuration is validated whole; a changed "
            "one becomes a new `version`. Unknown keys are a 400 naming their path."
        ),
    )
    def patch(self, request, character_id):
        character = character_get_for_user(user=request.user, character_id=character_id)
        params = CharacterUpdateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        fields = dict(params.validated_data)
        data_patch = fields.pop("data", None)
        character = character_update(character=character, data_patch=data_patch, **fields)
        return Response(_character(character))

    @extend_schema(responses={204: None}, operation_id="characters_destroy")
    def delete(self, request, character_id):
        character = character_get_for_user(user=request.user, character_id=character_id)
        character_delete(character=character)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CharacterBuildApi(APIView):
    """Build the character's asset; an unchanged configuration returns the asset already built."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: CharacterBuildOutputSerializer, 202: CharacterBuildOutputSerializer},
        operation_id="characters_build",
        description=(
            "202 with the run (`pipeline`, follow it on `websocket_url`) when a build starts "
            "or is already under way for this configuration; 200 with `cached: true` and the "
            "`asset` when the current configuration was built before."
        ),
    )
    def post(self, request, character_id):
        character = character_get_for_user(user=request.user, character_id=character_id)
        started = character_build_start(character=character, request_id=request.request_id)
        if started.cached:
            body = {"cached": True, "asset": started.character.asset_id, "pipeline": None,
                    "websocket_url": None}  # fmt: skip
            return Response(CharacterBuildOutputSerializer(body).data)
        pipeline = started.pipeline
        body = {
            "cached": False,
            "asset": None,
            "pipeline": pipeline.id,
            "websocket_url": f"/ws/pipelines/{pipeline.id}/",
        }
        response = Response(CharacterBuildOutputSerializer(body).data, status=202)
        response["Location"] = f"/api/v1/pipelines/{pipeline.id}/"
        return response


class CharacterClipListApi(APIView):
    """The animation clips of a character (the names `<model-viewer animation-name>` plays)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=CharacterClipOutputSerializer(many=True), operation_id="characters_clips"
    )
    def get(self, request, character_id):
        character = character_get_for_user(user=request.user, character_id=character_id)
        return Response(represent_many(CharacterClipOutputSerializer, character_clips(character)))


class CharacterRetargetApi(APIView):
    """Retarget a clip from another of your characters onto this one (a new version)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CharacterRetargetInputSerializer,
        responses=CharacterOutputSerializer,
        operation_id="characters_retarget",
        description=(
            "The clip is made for `source`'s skeleton and carried onto this character's by "
            "bone names and rest-pose correction; it is named `name` (default "
            "`<clip>_from_<source name>`). Build the character to get it in the GLB."
        ),
    )
    def post(self, request, character_id):
        character = character_get_for_user(user=request.user, character_id=character_id)
        params = CharacterRetargetInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        source = character_get_for_user(user=request.user, character_id=data["source"])
        character = character_clip_borrow(character=character, source=source, clip=data["clip"],
                                          name=data.get("name", ""))  # fmt: skip
        return Response(_character(character))


class AssetRigApi(APIView):
    """What Forge recognises in a rigged asset: its skin's joints and the humanoid bones they name."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RigReportOutputSerializer, operation_id="assets_rig")
    def get(self, request, asset_id):
        from pipelines.stages.character.retarget import RigError, rig_report

        asset = asset_get_for_user(asset_id=asset_id, user=request.user, with_variants=False)
        with asset.model_file.open("rb") as handle:
            glb = handle.read()
        try:
            report = rig_report(glb)
        except RigError as exc:
            raise ValidationFailedError(f"asset: {exc}", details={"asset": [str(exc)]}) from exc
        return Response(RigReportOutputSerializer(report).data)


class AssetRigClipsApi(APIView):
    """Add Forge clips to a rigged humanoid asset; the result is a new private asset of yours."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RigClipsInputSerializer,
        responses={201: AssetDetailOutputSerializer},
        operation_id="assets_rig_clips",
    )
    def post(self, request, asset_id):
        asset = asset_get_for_user(asset_id=asset_id, user=request.user, with_variants=False)
        params = RigClipsInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        source = None
        if data.get("source"):
            source = character_get_for_user(user=request.user, character_id=data["source"])
        created = rigged_asset_clips_add(
            asset=asset, actor=request.user, clips=data["clips"], source=source
        )
        created = asset_get_for_user(asset_id=created.id, user=request.user)
        return Response(asset_detail_output(created, request), status=status.HTTP_201_CREATED)
