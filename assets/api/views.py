"""The assets API: gallery list and upload, detail/update/delete, variants, presets."""

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.api.serializers import (
    AssetCreateInputSerializer,
    AssetDetailOutputSerializer,
    AssetListInputSerializer,
    AssetListOutputSerializer,
    AssetUpdateInputSerializer,
    AssetVariantOutputSerializer,
    MaterialPresetOutputSerializer,
    asset_detail_output,
    asset_rows_output,
    preset_output,
    variant_output,
)
from assets.selectors import (
    asset_can_change,
    asset_can_delete,
    asset_gallery,
    asset_get_for_user,
    asset_variant_list,
    material_preset_list,
)
from assets.services import asset_delete, asset_update, asset_upload, upload_limit_check
from forge.exceptions import NotFoundError
from forge.pagination import paginated_response
from forge.parsers import SafeFormParser, SafeJSONParser, SafeMultiPartParser
from forge.shared_serializers import query_params_validate


def _page_url(request, page: int | None) -> str | None:
    if page is None:
        return None
    params = request.query_params.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{urlencode(params, doseq=True)}")


class AssetListCreateApi(APIView):
    """List the gallery (public assets, or yours with `owner=me`) or upload a GLB."""

    parser_classes = [SafeMultiPartParser, SafeFormParser]

    @extend_schema(
        parameters=[AssetListInputSerializer],
        responses=AssetListOutputSerializer(many=True),
        operation_id="assets_list",
        description=(
            "Page-numbered list (`page`, `page_size` ≤ 100). `meta.pagination` holds `page`, "
            "`page_size`, `total`, `total_pages`, `next`/`previous` (URLs) and "
            "`next_page`/`previous_page` (numbers). Sorts: newest, oldest, name, triangles, "
            "-triangles. `q` is a web-style full-text search over name, tags and description."
        ),
    )
    def get(self, request):
        data = query_params_validate(AssetListInputSerializer, request.query_params)
        mine = data.get("owner") == "me"
        if mine and not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to list your own assets (owner=me).")
        result = asset_gallery(
            user=request.user,
            page=data["page"],
            page_size=data["page_size"],
            mine=mine,
            kind=data.get("kind", ""),
            art_style=data.get("art_style", ""),
            tag=data.get("tag", ""),
            status=data.get("status", ""),
            visibility=data.get("visibility", ""),
            q=data["q"],
            sort=data["sort"],
        )
        return paginated_response(
            asset_rows_output(result.results, request),
            {
                "type": "page",
                "page": result.page,
                "page_size": result.page_size,
                "total": result.total,
                "total_pages": result.total_pages,
                "next_page": result.next_page,
                "previous_page": result.previous_page,
                "next": _page_url(request, result.next_page),
                "previous": _page_url(request, result.previous_page),
            },
        )

    @extend_schema(
        request={"multipart/form-data": AssetCreateInputSerializer},
        responses={201: AssetDetailOutputSerializer},
        operation_id="assets_upload",
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is not None:
            upload_limit_check(size=upload.size)  # before reading it into memory
        serializer = AssetCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data.pop("file")
        asset = asset_upload(owner=request.user, glb=upload.read(), **data)
        asset = asset_get_for_user(asset_id=asset.id, user=request.user)
        return Response(asset_detail_output(asset, request), status=status.HTTP_201_CREATED)


class AssetDetailApi(APIView):
    """Read an asset with its variants and statistics; update (owner) or delete (owner, staff)."""

    parser_classes = [SafeJSONParser, SafeMultiPartParser, SafeFormParser]

    @extend_schema(responses=AssetDetailOutputSerializer, operation_id="assets_retrieve")
    def get(self, request, asset_id):
        asset = asset_get_for_user(asset_id=asset_id, user=request.user)
        return Response(asset_detail_output(asset, request))

    @extend_schema(
        request=AssetUpdateInputSerializer,
        responses=AssetDetailOutputSerializer,
        operation_id="assets_partial_update",
    )
    def patch(self, request, asset_id):
        asset = asset_get_for_user(asset_id=asset_id, user=request.user, with_variants=False)
        if not asset_can_change(asset=asset, user=request.user):
            raise NotFoundError("No such asset.")  # what is not yours is missing, as on GET
        serializer = AssetUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset_update(asset=asset, actor=request.user, **serializer.validated_data)
        asset = asset_get_for_user(asset_id=asset_id, user=request.user)
        return Response(asset_detail_output(asset, request))

    @extend_schema(responses={204: None}, operation_id="assets_destroy")
    def delete(self, request, asset_id):
        asset = asset_get_for_user(asset_id=asset_id, user=request.user, with_variants=False)
        if not asset_can_delete(asset=asset, user=request.user):
            raise NotFoundError("No such asset.")
        asset_delete(asset=asset, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssetVariantListApi(APIView):
    """List an asset's material variants in display order."""

    @extend_schema(
        responses=AssetVariantOutputSerializer(many=True), operation_id="assets_variants_list"
    )
    def get(self, request, asset_id):
        asset = asset_get_for_user(asset_id=asset_id, user=request.user, with_variants=False)
        return Response([variant_output(v, request) for v in asset_variant_list(asset=asset)])


class MaterialPresetListApi(APIView):
    """List the active material presets in display order."""

    @extend_schema(
        responses=MaterialPresetOutputSerializer(many=True),
        operation_id="presets_list",
        parameters=[OpenApiParameter("category", str, required=False)],
    )
    def get(self, request):
        presets = material_preset_list()
        category = request.query_params.get("category")
        if category:
            presets = presets.filter(category=category)
        return Response([preset_output(p) for p in presets])
