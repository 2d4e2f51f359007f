from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "elevstod.organisation"
    label = "organisation"
