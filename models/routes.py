"""The residence routes, one row each: everything the product knows about a route.

The case reads the vacancy's questions, the wage rule and whether §81a is open here; the
journey reads which qualification milestone and which follow-up after entry apply; the
checklists read the route's own documents; the starter's help and the import's codes read
the labels. Adding a route: a member of ``ResidenceRoute`` and its row in ``ROUTES`` (and
its clocks in the policy file, where its periods differ).

Versioned entries are ``(since process version, value)`` pairs: a journey follows the
latest entry not newer than its own process version (core/versions.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from models.documents import ChecklistRow, DocumentCode, DocumentStep, Slot
from models.thresholds import WageRule

D = DocumentCode
V = TypeVar("V")

# The newest version of the process definition's rules (JourneyState.process_version); the
# route rows and checklist rows below say from (``since``) and up to (``until``) which one.
CURRENT_PROCESS_VERSION = 4


class ResidenceRoute(StrEnum):
    """Residence routes of the AufenthG; values double as search-attribute codes."""

    SECTION_18A = "18a"  # vocational qualification
    SECTION_18B = "18b"  # academic degree
    SECTION_16A = "16a"  # vocational training
    SECTION_16D1 = "16d1"  # adaptation qualification after partial recognition
    SECTION_16D3 = "16d3"  # recognition partnership
    SECTION_18G = "18g"  # EU Blue Card
    SECTION_19C2 = "19c2"  # professional experience, with §6 BeschV

    @property
    def rules(self) -> Route:
        return ROUTES[self]

    @property
    def label(self) -> str:
        return ROUTES[self].label

    @property
    def explained(self) -> str:
        """One line per route, for the starter's --help."""
        return ROUTES[self].explained

    @classmethod
    def _missing_(cls, value: object) -> ResidenceRoute | None:
        # Accept what advisors type: "§18a", "§ 16d(1)", "16D3".
        if isinstance(value, str):
            code = re.sub(r"[§\s()]", "", value).lower()
            for member in cls:
                if member.value == code:
                    return member
        return None


class Procedure(StrEnum):
    REGULAR = "regular"
    ACCELERATED_81A = "81a"  # beschleunigtes Fachkräfteverfahren

    @classmethod
    def _missing_(cls, value: object) -> Procedure | None:
        if isinstance(value, str) and re.sub(r"[§\s]", "", value).lower() in {"81a", "accelerated"}:
            return cls.ACCELERATED_81A
        return None


class LocalAbh(StrEnum):
    """The Ausländerbehörde where the worker will live: it issues the residence permit after
    entry and receives the employer's §4a(5) report. In §81a the Landesaufnahmebehörde
    Niedersachsen (LAB NI) runs the procedure before entry (central since 2026); the local one
    follows. In Region Hannover the City of Hannover has its own; the Region's serves the other
    twenty towns (unverified: the office's own practice, not checked against the Land's rules)."""

    CITY_OF_HANNOVER = "city_of_hannover"  # Landeshauptstadt Hannover, Ausländerbehörde
    REGION_HANNOVER = "region_hannover"  # Region Hannover, Team Ausländerangelegenheiten
    ELSEWHERE = "elsewhere"  # the worker will live outside Region Hannover

    @property
    def label(self) -> str:
        return {
            LocalAbh.CITY_OF_HANNOVER: "Ausländerbehörde der Landeshauptstadt Hannover",
            LocalAbh.REGION_HANNOVER: "Ausländerbehörde der Region Hannover",
            LocalAbh.ELSEWHERE: "Ausländerbehörde am künftigen Wohnort (außerhalb der Region Hannover)",
        }[self]


class QualificationLevel(StrEnum):
    VOCATIONAL = "vocational"  # Fachkraft mit Berufsausbildung (§18a)
    ACADEMIC = "academic"  # Fachkraft mit akademischer Ausbildung (§18b)
    TRAINEE = "trainee"  # Auszubildende/r (§16a)


class Qualification(StrEnum):
    """How the journey shows the qualification before the visa."""

    RECOGNITION = "recognition"  # Anerkennung (BQFG)
    DEGREE = "degree"  # regulated profession: recognition; else anabin/ZAB comparability
    EXPERIENCE = "experience"  # §6 BeschV: 2-year qualification and 2 years' experience
    NONE = "none"  # training, or the Defizitbescheid / partnership the case starts from


class AfterEntry(StrEnum):
    """What follows entry until the person holds a §18a title."""

    ADAPTATION = "adaptation"  # §16d(1): full recognition after the adaptation measure
    PARTNERSHIP = "partnership"  # §16d(3): recognition applied for without delay after entry


def at(entries: Sequence[tuple[int, V]], version: int, default: V) -> V:
    """The value of the latest ``(since, value)`` entry not newer than ``version``."""
    found = default
    for since, value in entries:
        if since <= version:
            found = value
    return found


@dataclass(frozen=True)
class Route:
    label: str
    explained: str
    level: QualificationLevel | None  # the vacancy's qualification level; None: any
    qualification: tuple[tuple[int, Qualification], ...]
    after_entry: tuple[tuple[int, AfterEntry], ...] = ()
    accelerated: bool = True  # §81a(1) AufenthG names the route
    contract: DocumentCode = D.EMPLOYMENT_CONTRACT
    wage: WageRule | None = None  # the salary threshold the consultation checks
    shortage_wage: WageRule | None = None  # the lower threshold (shortage, career starters; with BA consent)
    consent_free_at_wage: bool = False  # at ``wage`` no BA consent is needed (§18g(1) S.1)
    collective_agreement_exempts: bool = False  # a bound employer needs no threshold (§6 BeschV)
    pension_45_plus: bool = False  # §18(2) Nr. 5: a first title at 45+ needs 55% of the BBG or proof
    # The longest probation the law allows: §622(3) BGB 6 months; training §20 BBiG 1-4 months.
    probation_months_at_most: int = 6
    # §44(1) S.1 Nr.1a AufenthG: an entitlement to the integration course with a first title
    # under §§18a-18d, 18g, 19c or 21; §16a and §16d give none (§44(4): free places only).
    # Before process version 3 every journey had the course as a milestone.
    integration_course: tuple[tuple[int, bool], ...] = ((1, True),)
    checklist: tuple[ChecklistRow, ...] = ()  # the route's own documents, at their slots

    def qualification_at(self, version: int) -> Qualification:
        return at(self.qualification, version, Qualification.NONE)

    def after_entry_at(self, version: int) -> AfterEntry | None:
        return at(self.after_entry, version, None)

    def integration_course_at(self, version: int) -> bool:
        return at(self.integration_course, version, True)

    @property
    def version_bound(self) -> bool:
        """Its milestones differ between process versions: a running journey keeps its own."""
        return any(since > 1 for since, _ in (*self.qualification, *self.after_entry))


VISA, QUAL, PURPOSE = DocumentStep.VISA_APPLICATION, Slot.QUALIFICATION, Slot.PURPOSE
NO_COURSE_SINCE_3 = ((1, True), (3, False))  # §16a, §16d: no entitlement (§44(1) S.1 Nr.1a AufenthG)

ROUTES: dict[ResidenceRoute, Route] = {
    ResidenceRoute.SECTION_18A: Route(
        "§18a AufenthG",
        "skilled worker with a recognised vocational qualification",
        QualificationLevel.VOCATIONAL,
        qualification=((1, Qualification.RECOGNITION),),
        pension_45_plus=True,
    ),
    ResidenceRoute.SECTION_18B: Route(
        "§18b AufenthG",
        "skilled worker with a degree (recognition if regulated, else anabin/ZAB comparability)",
        QualificationLevel.ACADEMIC,
        # Before #11 (process version 2) every degree went through recognition.
        qualification=((1, Qualification.RECOGNITION), (2, Qualification.DEGREE)),
        pension_45_plus=True,
        checklist=(ChecklistRow(VISA, QUAL, D.DEGREE_CERTIFICATE, since=2, recognised=False),),
    ),
    ResidenceRoute.SECTION_16A: Route(
        "§16a AufenthG",
        "vocational training in Germany (training contract, B1, funds)",
        QualificationLevel.TRAINEE,
        qualification=(),
        contract=D.TRAINING_CONTRACT,
        probation_months_at_most=4,  # §20 S.2 BBiG: at least one, at most four months
        integration_course=NO_COURSE_SINCE_3,
        checklist=(
            ChecklistRow(VISA, PURPOSE, D.TRAINING_CONTRACT),
            ChecklistRow(VISA, PURPOSE, D.B1_CERTIFICATE),
            ChecklistRow(VISA, PURPOSE, D.PROOF_OF_FUNDS),
        ),
    ),
    ResidenceRoute.SECTION_16D1: Route(
        "§16d(1) AufenthG",
        "adaptation qualification after partial recognition (Defizitbescheid, Qualifizierungsplan)",
        None,
        qualification=(),
        after_entry=((2, AfterEntry.ADAPTATION),),
        integration_course=NO_COURSE_SINCE_3,
        checklist=(
            ChecklistRow(DocumentStep.CONTRACT, QUAL, D.ZUSATZBLATT_A),  # the adaptation is part of the employment
            ChecklistRow(VISA, QUAL, D.ZUSATZBLATT_A),
            ChecklistRow(VISA, QUAL, D.QUALIFIZIERUNGSPLAN, since=2),
            # Opened directly, the Defizitbescheid comes with the case; after a partial
            # recognition in the journey it is the recognition decision.
            ChecklistRow(VISA, QUAL, D.DEFIZITBESCHEID, since=2, recognised=False),
            # §16d(1) S.3 AufenthG: as a rule sufficient German (A2) (#24)
            ChecklistRow(VISA, QUAL, D.A2_CERTIFICATE, since=3),
        ),
    ),
    ResidenceRoute.SECTION_16D3: Route(
        "§16d(3) AufenthG",
        "recognition partnership (2-year qualification, A2, agreement, recognition after entry)",
        None,
        qualification=(),
        after_entry=((2, AfterEntry.PARTNERSHIP),),
        integration_course=NO_COURSE_SINCE_3,
        checklist=(
            ChecklistRow(VISA, QUAL, D.A2_CERTIFICATE, since=2),
            ChecklistRow(VISA, QUAL, D.PARTNERSHIP_AGREEMENT, since=2),
            ChecklistRow(VISA, QUAL, D.QUALIFICATION_EVIDENCE, since=2),
        ),
    ),
    ResidenceRoute.SECTION_18G: Route(
        "§18g AufenthG (Blue Card)",
        "EU Blue Card: degree and a salary above the year's threshold",
        QualificationLevel.ACADEMIC,
        qualification=((2, Qualification.DEGREE),),
        wage=WageRule.BLUE_CARD,
        shortage_wage=WageRule.BLUE_CARD_SHORTAGE,
        consent_free_at_wage=True,
        checklist=(ChecklistRow(VISA, QUAL, D.DEGREE_CERTIFICATE, since=2, recognised=False),),
    ),
    ResidenceRoute.SECTION_19C2: Route(
        "§19c(2) AufenthG with §6 BeschV",
        "professional experience: 2-year qualification, 2 years' experience, 45% of the BBG",
        QualificationLevel.VOCATIONAL,
        qualification=((1, Qualification.EXPERIENCE),),
        # §81a(1) AufenthG names §§16a, 16d, 18a, 18b and 18g; §81a(5) extends the procedure to
        # other qualified employment, and Lower Saxony's page on the accelerated procedure lists
        # "§19c Abs. 2 AufenthG i.V.m. §6 BeschV" among its purposes (#24). Unverified: read
        # from that page (2026), not checked against the statute's text.
        accelerated=True,
        wage=WageRule.EXPERIENCE,
        collective_agreement_exempts=True,
    ),
}


def routes_where(holds: Callable[[Route], object]) -> list[ResidenceRoute]:
    """The routes whose row satisfies ``holds`` (for messages that name them)."""
    return [route for route, row in ROUTES.items() if holds(row)]


def labels(routes: Sequence[ResidenceRoute]) -> str:
    return " and ".join(route.label for route in routes)
