from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "elevstod.people"
    label = "people"
