"""Django admin for technical administration of the organisation only.

Pupil and guardian records are deliberately not registered: every read of pupil data must pass
the access policy and the access log, which the admin site bypasses.
"""

from django.contrib import admin

from elevstod.organisation.models import (
    AcademicYear,
    Delegation,
    EducationProvider,
    Group,
    ProviderDuty,
    PupilHealthTeam,
    SchoolTerms,
    SchoolUnit,
    UnitDuty,
)

admin.site.register(EducationProvider)
admin.site.register(SchoolUnit)
admin.site.register(AcademicYear)
admin.site.register(Group, search_fields=["name"], list_display=["name", "school_unit", "kind"])
admin.site.register(UnitDuty, list_display=["user", "school_unit", "duty", "starts_on", "ends_on"])
admin.site.register(ProviderDuty)
admin.site.register(PupilHealthTeam)
admin.site.register(Delegation, list_display=["school_unit", "delegate", "decision_type"])
admin.site.register(
    SchoolTerms,
    list_display=["provider", "school_unit", "academic_year", "autumn_last_day", "spring_last_day"],
)
