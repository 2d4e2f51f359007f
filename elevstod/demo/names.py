"""Swedish names, addresses and contact details for the generated municipality.

Faker is slow per call (tens of microseconds) and the large tier needs about half a million
values, so a seeded Faker fills small pools once and a seeded Random picks from them.
"""

import random
import unicodedata
from dataclasses import dataclass

from faker import Faker

# Faker's sv_SE lists are weighted towards adults' names (Birgitta, Lennart); children born
# 2008–2020 mostly carry these (SCB, most common names given to newborns in those years).
CHILDREN_FEMALE = (
    "Alice", "Maja", "Elsa", "Astrid", "Wilma", "Ebba", "Olivia", "Ella", "Alma", "Saga",
    "Selma", "Vera", "Agnes", "Freja", "Lilly", "Clara", "Stella", "Alva", "Signe", "Julia",
    "Ellen", "Juni", "Tilde", "Elin", "Nova", "Moa", "Ines", "Edith", "Hedda", "Leah",
)  # fmt: skip
CHILDREN_MALE = (
    "William", "Noah", "Hugo", "Lucas", "Liam", "Oscar", "Oliver", "Elias", "Adam", "Matteo",
    "Alexander", "Vincent", "Leo", "Nils", "Theo", "Ludvig", "Harry", "Charlie", "Viktor", "Isak",
    "Axel", "Filip", "Arvid", "Melvin", "Sixten", "Olle", "Edvin", "Alfred", "Gustav", "Love",
)  # fmt: skip

# The localities of the fictional Exempelstads kommun, with the first three postcode digits.
LOCALITIES = (
    ("Exempelstad", "123", 60),
    ("Norrby", "124", 10),
    ("Söderås", "125", 10),
    ("Västerhaga", "126", 8),
    ("Östbyn", "127", 7),
    ("Kvarnby", "128", 5),
)
MOBILE_PREFIXES = ("070", "072", "073", "076", "079")
# Reserved domains (RFC 2606, RFC 6761) so no demo e-mail can reach a real mailbox.
PRIVATE_MAIL_DOMAINS = ("example.com", "example.net", "example.org")
STAFF_MAIL_DOMAIN = "exempelstad.example"
PUPIL_MAIL_DOMAIN = "elev.exempelstad.example"


@dataclass(frozen=True)
class Address:
    street_address: str
    postal_code: str
    city: str


NO_ADDRESS = Address("", "", "")


def mail_part(text: str) -> str:
    """'Åsa-Lena Öberg' → 'asa-lena.oberg': the local part of an e-mail address."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.replace(" ", ".") if ch.isalnum() or ch in ".-")


class NamePool:
    """Pools of names and streets drawn once from a seeded Faker, then picked with `rng`."""

    def __init__(self, seed: int, rng: random.Random) -> None:
        fake = Faker("sv_SE")
        fake.seed_instance(seed)
        self.rng = rng
        # Lists with repeats keep Faker's weighting: common names come up more often.
        self.adult_female = [fake.first_name_female() for _ in range(400)]
        self.adult_male = [fake.first_name_male() for _ in range(400)]
        self.last_names = [fake.last_name() for _ in range(600)]
        self.streets = sorted({fake.street_name() for _ in range(400)})
        self._localities = [name for name, _prefix, _weight in LOCALITIES]
        self._locality_weights = [weight for _name, _prefix, weight in LOCALITIES]
        self._postcode_prefix = {name: prefix for name, prefix, _weight in LOCALITIES}

    def first_name(self, female: bool, child: bool = False) -> str:
        # A quarter of the children get a name from Faker's wider list, for variety.
        if child and self.rng.random() < 0.75:
            return self.rng.choice(CHILDREN_FEMALE if female else CHILDREN_MALE)
        return self.rng.choice(self.adult_female if female else self.adult_male)

    def last_name(self) -> str:
        return self.rng.choice(self.last_names)

    def address(self) -> Address:
        rng = self.rng
        city = rng.choices(self._localities, self._locality_weights)[0]
        number = str(rng.randint(1, 120))
        if rng.random() < 0.15:
            number += rng.choice("ABC")
        postcode = f"{self._postcode_prefix[city]} {rng.randint(0, 99):02d}"
        return Address(f"{rng.choice(self.streets)} {number}", postcode, city)

    def mobile(self) -> str:
        rng = self.rng
        return (
            f"{rng.choice(MOBILE_PREFIXES)}-{rng.randint(100, 999)} "
            f"{rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
        )

    def private_email(self, first: str, last: str) -> str:
        domain = self.rng.choice(PRIVATE_MAIL_DOMAINS)
        return f"{mail_part(first)}.{mail_part(last)}{self.rng.randint(1, 99)}@{domain}"
