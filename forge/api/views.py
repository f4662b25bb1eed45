from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from forge.api.serializers import (
    ApiTokenCreatedOutputSerializer,
    ApiTokenCreateInputSerializer,
    ApiTokenOutputSerializer,
)
from forge.shared_serializers import represent_many
from forge.tokens import api_token_create, api_token_list, api_token_revoke


class ApiTokenListCreateApi(APIView):
    """List your API tokens or create one (the raw token is returned once)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ApiTokenOutputSerializer(many=True), operation_id="tokens_list")
    def get(self, request):
        tokens = api_token_list(user=request.user)
        return Response(represent_many(ApiTokenOutputSerializer, tokens))

    @extend_schema(
        request=ApiTokenCreateInputSerializer,
        responses={201: ApiTokenCreatedOutputSerializer},
        operation_id="tokens_create",
    )
    def post(self, request):
        serializer = ApiTokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, raw = api_token_create(user=request.user, **serializer.validated_data)
        token.token = raw
        return Response(ApiTokenCreatedOutputSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenRevokeApi(APIView):
    """Revoke one of your API tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, operation_id="tokens_revoke")
    def delete(self, request, token_id):
        api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
