"""The route table (#23 point 2): one row per route, read by the case, the journey, the
checklists and the starter; checklists are table rows with their process versions."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest

from models.checklists import CHECKLISTS, required_documents
from models.documents import DocumentCode, DocumentStep, Slot
from models.routes import CURRENT_PROCESS_VERSION, ROUTES, Qualification, ResidenceRoute, at
from models.routes import Procedure as P

pytestmark = pytest.mark.unit
R = ResidenceRoute


def test_every_route_has_its_row_and_every_step_its_checklist() -> None:
    assert set(ROUTES) == set(ResidenceRoute)
    assert set(CHECKLISTS) == set(DocumentStep)
    for route in ResidenceRoute:
        assert route.label.startswith("§") and route.explained
        for row in route.rules.checklist:
            assert row.code is not None and row.slot in (Slot.QUALIFICATION, Slot.PURPOSE), row
            assert any(r.step is row.step and r.slot is row.slot for r in CHECKLISTS[row.step]), row


@pytest.mark.parametrize(
    ("entries", "version", "expected"),
    [
        (((1, "a"), (2, "b")), 1, "a"),
        (((1, "a"), (2, "b")), 2, "b"),
        (((1, "a"), (2, "b")), 7, "b"),
        (((2, "b"),), 1, "none"),
        ((), 2, "none"),
    ],
)
def test_a_versioned_entry_is_the_latest_not_newer_than_the_journey(
    entries: tuple[tuple[int, str], ...], version: int, expected: str
) -> None:
    assert at(entries, version, "none") == expected


@pytest.mark.parametrize(
    ("route", "version", "shown_by"),
    [
        (R.SECTION_18A, 1, Qualification.RECOGNITION),
        (R.SECTION_18B, 1, Qualification.RECOGNITION),  # before #11 every degree went through recognition
        (R.SECTION_18B, 2, Qualification.DEGREE),
        (R.SECTION_18G, 1, Qualification.NONE),
        (R.SECTION_18G, 2, Qualification.DEGREE),
        (R.SECTION_19C2, 2, Qualification.EXPERIENCE),
        (R.SECTION_16A, 2, Qualification.NONE),
    ],
)
def test_how_each_route_shows_the_qualification_per_process_version(
    route: ResidenceRoute, version: int, shown_by: Qualification
) -> None:
    assert route.rules.qualification_at(version) is shown_by


def test_routes_whose_milestones_changed_between_versions_are_bound_to_theirs() -> None:
    bound = {route for route in ResidenceRoute if route.rules.version_bound}
    assert bound == {R.SECTION_18B, R.SECTION_18G, R.SECTION_16D1, R.SECTION_16D3}


@pytest.mark.parametrize(
    ("route", "procedure", "version", "present", "absent"),
    [
        (R.SECTION_16A, P.ACCELERATED_81A, 2, DocumentCode.TRAINING_CONTRACT, DocumentCode.EMPLOYMENT_CONTRACT),
        (R.SECTION_16A, P.ACCELERATED_81A, 1, DocumentCode.EMPLOYMENT_CONTRACT, None),  # version 1 kept its row
        (R.SECTION_18A, P.REGULAR, 2, DocumentCode.HEALTH_INSURANCE, DocumentCode.VORABZUSTIMMUNG),
        (R.SECTION_18A, P.REGULAR, 1, None, DocumentCode.HEALTH_INSURANCE),
        (R.SECTION_18B, P.REGULAR, 2, DocumentCode.DEGREE_CERTIFICATE, DocumentCode.ZUSATZBLATT_A),
        (R.SECTION_16D1, P.REGULAR, 1, DocumentCode.ZUSATZBLATT_A, DocumentCode.QUALIFIZIERUNGSPLAN),
    ],
)
def test_the_visa_checklist_follows_route_procedure_and_version(
    route: ResidenceRoute,
    procedure: P,
    version: int,
    present: DocumentCode | None,
    absent: DocumentCode | None,
) -> None:
    docs = required_documents(DocumentStep.VISA_APPLICATION, route, procedure, version=version)
    assert present is None or present in docs
    assert absent is None or absent not in docs
    assert len(docs) == len(set(docs))


# Every checklist of every step, route, procedure, recognition and process version: the
# table replaced a hand-written if-chain (models/documents.py before #23) and reproduced its
# 448 lists exactly; a change to a checklist must change this on purpose (and, for running
# journeys, come with a new process version).
CHECKLISTS_FINGERPRINT = "8b51b643335705c5addf6dfe0f0dda424f52894dfbf6ced61618eccf8844017d"  # versions 1-2
# Process version 3 (#24): §16d(1) asks for German at A2 with the visa.
CHECKLISTS_FINGERPRINT_V3 = "e1b700b0ec7d4111d6a349b5b0b307c2b422fc2a7f1551e318de83dd48b9144b"


def _all_checklists(versions: range) -> str:
    lists = {
        f"{step}|{route}|{procedure}|{recognised}|{version}": required_documents(
            step, route, procedure, recognised=recognised, version=version
        )
        for step, route, procedure, recognised, version in itertools.product(
            DocumentStep, ResidenceRoute, P, (False, True), versions
        )
    }
    return hashlib.sha256(json.dumps(lists, sort_keys=True).encode()).hexdigest()


def test_the_checklists_are_unchanged() -> None:
    assert _all_checklists(range(1, 3)) == CHECKLISTS_FINGERPRINT  # journeys on versions 1 and 2 keep theirs
    assert _all_checklists(range(3, 4)) == CHECKLISTS_FINGERPRINT_V3
    # Process version 4 (#24, late facts) changes no checklist: its lists are version 3's.
    for step, route, procedure, recognised in itertools.product(DocumentStep, ResidenceRoute, P, (False, True)):
        lists = [required_documents(step, route, procedure, recognised=recognised, version=v) for v in (3, 4)]
        assert lists[0] == lists[1], (step, route, procedure, recognised)
    assert CURRENT_PROCESS_VERSION == 4  # a new version adds its own fingerprint (or sameness) here


def test_version_3_asks_for_german_at_a2_on_16d1_only_where_the_law_does() -> None:
    def visa(route: ResidenceRoute, version: int) -> list[DocumentCode]:
        return required_documents(DocumentStep.VISA_APPLICATION, route, P.REGULAR, version=version)

    assert DocumentCode.A2_CERTIFICATE in visa(ResidenceRoute.SECTION_16D1, 3)  # §16d(1) S.3 AufenthG
    assert DocumentCode.A2_CERTIFICATE not in visa(ResidenceRoute.SECTION_16D1, 2)  # a running journey keeps v2
    for route in set(ResidenceRoute) - {ResidenceRoute.SECTION_16D1}:
        assert visa(route, 3) == visa(route, 2), route


def test_the_accelerated_procedure_is_open_on_19c2_with_6_beschv() -> None:
    # #24: §81a(5) AufenthG; Lower Saxony lists §19c(2) with §6 BeschV among its purposes.
    from models.case import NewCase

    assert ROUTES[ResidenceRoute.SECTION_19C2].accelerated
    case = NewCase.model_validate(
        {"case_id": "WC-0000000042", "advisor": "m.koch", "employer": {"name": "Restaurant Am See GmbH"},
         "occupation": "cook", "route": "19c2", "procedure": "81a", "qualification_level": "vocational", "positions": 1}
    )  # fmt: skip
    assert case.procedure is P.ACCELERATED_81A
