"""Synthetic people for the demo and the benchmarks: generated names, no real person."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

FIRST_NAMES = [
    "Ava",
    "Liam",
    "Zoë",
    "Noah",
    "Amara",
    "José",
    "Mia",
    "Ethan",
    "Léa",
    "Omar",
    "Sofia",
    "Kai",
    "Priyanka",
    "Mateo",
    "Hana",
    "Elijah",
    "Chloé",
    "Darius",
    "Ines",
    "Tomás",
    "Yara",
    "Caleb",
    "Nia",
    "Björn",
    "Aaliyah",
    "Ren",
    "Maya",
    "Felix",
    "Ximena",
    "Jonah",
    "Aiyana",
    "Luca",
    "Sasha",
    "Imani",
    "Rowan",
    "Anaïs",
    "Dev",
    "Esme",
    "Malik",
    "Quinn",
    "Renée",
    "Theo",
    "Farah",
    "Gabriel",
    "Ilse",
    "Jude",
    "Keiko",
    "Nico",
    "Oona",
    "Rafael",
]
LAST_NAMES = [
    "Abernathy",
    "Núñez",
    "Okonkwo",
    "Lindgren",
    "Castellano",
    "Whitcombe",
    "Moreau",
    "Halvorsen",
    "Delacroix",
    "Ferreira",
    "Kowalczyk",
    "Nakamura",
    "Oyelaran",
    "Brennan",
    "Søndergaard",
    "Villanueva",
    "Ashdown",
    "Galloway",
    "Mbeki-Shaw",
    "Rautenbach",
    "Quintero",
    "Ellsworth",
    "Haddington",
    "Iwasaki",
    "Jovanović",
    "Kirkland",
    "Laurent",
    "Marchetti",
    "Novotná",
    "Pemberton",
    "Rosales",
    "Strand",
    "Thistlewood",
    "Umberto",
    "Vasquez-Lee",
    "Winslow",
    "Yilmaz",
    "Zielinski",
    "Ashgrove",
    "Blackwood",
]
PRONOUNS = ["she/her", "he/him", "they/them", "she/they", "he/they", ""]
LANGUAGES = ["English"] * 14 + ["Spanish", "Spanish", "Vietnamese", "Arabic", "Haitian Creole"]
STREETS = ["Maple", "Harbor", "Cedar", "Orchard", "Mill", "Linden", "Prospect", "Willow"]
CITIES = ["Riverton", "Lakeside", "Fairhaven", "Brookfield"]


@dataclass(frozen=True)
class SyntheticPerson:
    first: str
    last: str
    preferred: str
    pronouns: str
    born: date
    phone: str
    email: str
    language: str
    address: str
    city: str
    postal_code: str


def synthetic_person(rng: random.Random, today: date, index: int) -> SyntheticPerson:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    born = today - timedelta(days=rng.randint(13 * 365, 78 * 365))
    preferred = rng.choice(FIRST_NAMES) if rng.random() < 0.12 else ""
    language = rng.choice(LANGUAGES)
    # 555-01xx numbers are reserved for fiction; the index keeps them distinct.
    phone = f"555-01{index % 100:02d}-{index // 100 % 10000:04d}"
    ascii_last = last.encode("ascii", "ignore").decode().lower().replace("-", "")
    return SyntheticPerson(
        first=first,
        last=last,
        preferred=preferred,
        pronouns=rng.choice(PRONOUNS),
        born=born,
        phone=phone,
        email=f"client{index}.{ascii_last}@example.org",
        language=language,
        address=f"{rng.randint(10, 999)} {rng.choice(STREETS)} Street",
        city=rng.choice(CITIES),
        postal_code=f"0{rng.randint(1000, 9999)}",
    )
