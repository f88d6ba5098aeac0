import factory

from apps.accounts.tests.factories import CityFactory
from apps.customers.models import Contact, Customer, Dealer, Department


class DealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealer

    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"经销商{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"KH{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}人民医院")
    city = factory.SubFactory(CityFactory)
    province = factory.SelfAttribute("city.parent")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"检验科{n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    mobile = factory.Sequence(lambda n: f"1380000{n:04d}")
