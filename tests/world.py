"""A small hand-built world with every relation the access policy knows, and canary strings.

Each pupil's last name is a canary: a response to a persona who may not see that pupil must
never contain it. VISIBLE is written by hand from security.md P5/P6, never computed from the
policy, so the tests can catch the policy being wrong.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.organisation.models import Delegation, GroupKind, ProviderDuty, SchoolUnit
from elevstod.people.models import ProtectedIdentity, ProtectedPupilAssignment, Pupil
from tests.factories import (
    GroupFactory,
    GuardianFactory,
    ProviderFactory,
    PupilFactory,
    SchoolUnitFactory,
    UserFactory,
    duty,
    eht,
    guardian_of,
    join,
    place,
    staff_group,
)

CANARIES = {
    "x": "Kanarieqx",
    "y": "Kanarieqy",
    "z": "Kanarieqz",
    "w": "Kanarieqw",
    "m": "Kanarieqm",
}

STAFF = {
    "principal_a",
    "deputy_a",
    "principal_b",
    "special_educator_a",
    "mentor_a",
    "teacher_a",
    "teacher_a_unrelated",
    "counsellor_a",
    "nurse_a_not_eht",
    "huvudman_admin",
    "teacher_b",
}
PERSONAS = sorted(
    STAFF | {"guardian_x", "guardian_x_no_custody", "guardian_y", "pupil_x", "pupil_y", "anonymous"}
)

# Who may see which pupil, by hand (security.md P5, P6).
VISIBLE: dict[str, set[str]] = {
    "principal_a": {"x", "w", "m"},  # not z: protected, and the rektor is not assigned
    "deputy_a": {"x", "w", "m"},
    "principal_b": {"y"},  # not m: m has moved to unit A
    "special_educator_a": {"x", "w", "m", "z"},  # z through the explicit assignment
    "mentor_a": {"x", "m"},  # z is in the mentor group but protected
    "teacher_a": {"x"},
    "teacher_a_unrelated": {"w"},
    "counsellor_a": {"x", "w", "m"},  # through the elevhälsoteam
    "nurse_a_not_eht": set(),  # a duty at the unit alone grants nothing
    "huvudman_admin": set(),  # the organiser sees no pupil data
    "teacher_b": {"y"},
    "guardian_x": {"x"},
    "guardian_x_no_custody": set(),  # OSL 12 kap. 3 §: custody is what counts
    "guardian_y": {"y"},
    "pupil_x": {"x"},
    "pupil_y": {"y"},
    "anonymous": set(),
}


@dataclass
class World:
    units: dict[str, SchoolUnit]
    users: dict[str, object]
    pupils: dict[str, Pupil]
    delegation: Delegation
    devices: dict[str, TOTPDevice] = field(default_factory=dict)

    def client_for(self, persona: str, *, verified: bool = True) -> Client:
        client = Client()
        if persona == "anonymous":
            return client
        user = self.users[persona]
        client.force_login(user)
        device = self.devices.get(persona)
        if verified and device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        assert client.session[SESSION_KEY]
        return client

    def count_queries(self, persona: str, url: str) -> int:
        """The queries one GET of `url` costs the persona, after a first GET that warms the
        session (the first request after sign-in may refresh it)."""
        client = self.client_for(persona)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (persona, url, response.status_code)
        return len(queries)


def build_world() -> World:
    today = timezone.localdate()
    provider = ProviderFactory(name="Exempelstads kommun")
    other_provider = ProviderFactory(name="Friskolan AB")
    unit_a = SchoolUnitFactory(provider=provider, name="Björkskolan")
    unit_b = SchoolUnitFactory(provider=provider, name="Lindskolan")
    unit_c = SchoolUnitFactory(provider=other_provider, name="Friskolan")

    users = {name: UserFactory(username=name) for name in PERSONAS if name != "anonymous"}
    duty(users["principal_a"], unit_a, "principal")
    duty(users["deputy_a"], unit_a, "deputy_principal")
    duty(users["principal_b"], unit_b, "principal")
    duty(users["special_educator_a"], unit_a, "special_educator")
    duty(users["mentor_a"], unit_a, "mentor")
    duty(users["teacher_a"], unit_a, "teacher")
    duty(users["teacher_a_unrelated"], unit_a, "teacher")
    duty(users["counsellor_a"], unit_a, "school_counsellor")
    duty(users["nurse_a_not_eht"], unit_a, "school_nurse")
    duty(users["teacher_b"], unit_b, "teacher")
    duty(users["principal_b"], unit_c, "teacher")  # a duty at another huvudman's unit
    ProviderDuty.objects.create(
        user=users["huvudman_admin"], provider=provider, duty="administrator"
    )
    eht(unit_a, users["principal_a"], users["counsellor_a"], users["special_educator_a"])

    class_7a = GroupFactory(school_unit=unit_a, name="7A", kind=GroupKind.CLASS)
    maths_7a = GroupFactory(school_unit=unit_a, name="Ma 7A", kind=GroupKind.TEACHING_GROUP)
    class_8b = GroupFactory(school_unit=unit_a, name="8B", kind=GroupKind.CLASS, grade=8)
    class_7b_at_b = GroupFactory(school_unit=unit_b, name="7B", kind=GroupKind.CLASS)
    staff_group(users["mentor_a"], class_7a, "mentor")
    staff_group(users["teacher_a"], maths_7a, "teacher")
    staff_group(users["teacher_a_unrelated"], class_8b, "teacher")
    staff_group(users["teacher_b"], class_7b_at_b, "teacher")

    pupils = {
        key: PupilFactory(first_name=f"Elev{key.upper()}", last_name=canary)
        for key, canary in CANARIES.items()
    }
    pupils["z"].protected_identity = ProtectedIdentity.PROTECTED_REGISTRATION
    pupils["z"].save()
    for key in ("x", "z", "w"):
        place(pupils[key], unit_a)
    place(pupils["y"], unit_b)
    # m moved from unit B to unit A a month ago.
    place(
        pupils["m"],
        unit_b,
        starts=today - timedelta(days=400),
        ends=today - timedelta(days=31),
    )
    place(pupils["m"], unit_a, starts=today - timedelta(days=30))
    for key in ("x", "z", "m"):
        join(pupils[key], class_7a)
    for key in ("x", "z"):
        join(pupils[key], maths_7a)
    join(pupils["w"], class_8b)
    join(pupils["y"], class_7b_at_b)
    ProtectedPupilAssignment.objects.create(
        pupil=pupils["z"], user=users["special_educator_a"], reason="Utsedd handläggare"
    )

    guardian_x = GuardianFactory(user=users["guardian_x"], last_name="Vårdnadshavare")
    guardian_x_no_custody = GuardianFactory(
        user=users["guardian_x_no_custody"], last_name="Utanvårdnad"
    )
    guardian_y = GuardianFactory(user=users["guardian_y"], last_name="Kanarievhy")
    guardian_of(guardian_x, pupils["x"])
    guardian_of(guardian_x_no_custody, pupils["x"], custody=False)
    guardian_of(guardian_y, pupils["y"])
    pupils["x"].user = users["pupil_x"]
    pupils["x"].save()
    pupils["y"].user = users["pupil_y"]
    pupils["y"].save()

    delegation = Delegation.objects.create(
        school_unit=unit_a,
        delegated_by=users["principal_a"],
        delegate=users["special_educator_a"],
        decision_type="no_action_programme",
        valid_from=today - timedelta(days=10),
        valid_until=today + timedelta(days=100),
    )
    devices = {
        name: TOTPDevice.objects.create(user=users[name], name="app", confirmed=True)
        for name in STAFF
    }
    return World(
        units={"a": unit_a, "b": unit_b, "c": unit_c},
        users=users,
        pupils=pupils,
        delegation=delegation,
        devices=devices,
    )
