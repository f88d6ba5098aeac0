from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers

from apps.accounts.models import Qualification, Region, SkillGroup, User
from apps.core.api import VersionedSerializer


class RegionSerializer(VersionedSerializer):
    class Meta:
        model = Region
        fields = [
            "id",
            "name",
            "level",
            "parent",
            "code",
            "tier",
            "customer_manager",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at"]


class StaffSerializer(VersionedSerializer):
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    skill_groups = serializers.SlugRelatedField(
        slug_field="code", queryset=SkillGroup.objects.all(), many=True, required=False
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "role",
            "phone",
            "email",
            "regions",
            "skill_groups",
            "dealer",
            "password",
            "is_active",
            "version",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["is_active", "last_login", "date_joined"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [self.fields["password"].error_messages["required"]]})
        if attrs.get("password"):
            validate_password(attrs["password"], self.instance)
        return attrs


class QualificationSerializer(VersionedSerializer):
    class Meta:
        model = Qualification
        fields = [
            "id",
            "engineer",
            "instrument_model",
            "certificate_no",
            "valid_from",
            "valid_until",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at"]
