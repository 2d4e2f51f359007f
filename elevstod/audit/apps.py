from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "elevstod.audit"
    label = "audit"

    def ready(self) -> None:
        from elevstod.audit import checks, roles  # noqa: F401 (registers the database check)

        # After `migrate --database owner`, the application's role gets its rights (0017).
        post_migrate.connect(roles.grant_after_migrate, sender=self, dispatch_uid="audit-roles")
