"""On PostgreSQL the access log refuses UPDATE and DELETE (security.md P1).

TRUNCATE is left to the database owner: test isolation uses it, and no application path issues it.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_access_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_accessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_access_event_no_update_or_delete
BEFORE UPDATE OR DELETE ON audit_accessevent
FOR EACH ROW EXECUTE FUNCTION audit_access_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_access_event_no_update_or_delete ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_access_event_append_only();
"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
