from django.apps import AppConfig


class LogReviewConfig(AppConfig):
    """The pages that read the access log; the log itself (models, recording) is `audit`."""

    name = "elevstod.logreview"
    label = "logreview"
