import factory

from apps.accounts.choices import CityTier, RegionLevel, Role
from apps.accounts.models import Region, SkillGroup, User


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"省份{n}")
    level = RegionLevel.PROVINCE
    code = factory.Sequence(lambda n: f"{10 + n:02d}0000")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"城市{n}")
    level = RegionLevel.CITY
    parent = factory.SubFactory(ProvinceFactory)
    tier = CityTier.PREFECTURE
    code = factory.Sequence(lambda n: f"{n:06d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"员工{n}")
    role = Role.CLERK
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)

    @factory.post_generation
    def skill_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.skill_groups.set(SkillGroup.objects.filter(code__in=extracted))

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
