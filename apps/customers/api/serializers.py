from rest_framework import serializers

from apps.core.access import personal_data_for, sees_internal_notes
from apps.core.api import VersionedSerializer
from apps.customers.models import Contact, Customer, Dealer, Department


class CustomerSerializer(VersionedSerializer):
    code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    city_name = serializers.CharField(source="city.name", read_only=True)
    province_name = serializers.CharField(source="province.name", read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "name_pinyin", "name_initials", "kind", "grade", "province",
            "province_name", "city", "city_name", "district", "address", "latitude", "longitude",
            "responsible_sales", "responsible_engineer", "dealer", "tier", "product_line_usage",
            "in_arrears", "arrears_note", "notes", "is_active", "version", "created_at", "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at", "name_pinyin", "name_initials"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not sees_internal_notes(request.user):
            data["arrears_note"] = ""
        return data


class ContactSerializer(VersionedSerializer):
    class Meta:
        model = Contact
        fields = [
            "id", "customer", "department", "name", "role", "title", "mobile", "email", "is_primary",
            "is_active", "version", "created_at", "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            data["mobile"], data["email"] = personal_data_for(request.user, phone=data["mobile"], email=data["email"])
        return data


class DepartmentSerializer(VersionedSerializer):
    class Meta:
        model = Department
        fields = ["id", "customer", "name", "phone", "is_active", "version", "created_at", "updated_at"]
        read_only_fields = ["is_active", "created_at", "updated_at"]


class DealerSerializer(VersionedSerializer):
    class Meta:
        model = Dealer
        fields = [
            "id", "code", "name", "contact_person", "phone", "address", "regions", "is_active", "version",
            "created_at", "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at"]
