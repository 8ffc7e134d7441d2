"""Document checklists per journey step as table data (../shared/DOMAIN.md, "Documents").

``CHECKLISTS`` lists each step's rows in the order advisors work through them; a slot row
takes the route's own rows (models/routes.py) at that place. Rows carry the process
versions they belong to, so journeys started before a change keep their checklists.
"""

from __future__ import annotations

from models.documents import ChecklistRow, DocumentCode, DocumentStep, Slot
from models.routes import ROUTES, Procedure, ResidenceRoute

D, S, R = DocumentCode, DocumentStep, ChecklistRow


def _rows(step: DocumentStep, *rows: DocumentCode | Slot | ChecklistRow) -> tuple[ChecklistRow, ...]:
    """Plain codes and slots become unconditional rows of ``step``."""
    made = []
    for row in rows:
        if isinstance(row, ChecklistRow):
            made.append(row)
        elif isinstance(row, Slot):
            made.append(R(step, slot=row))
        else:
            made.append(R(step, code=row))
    return tuple(made)


CHECKLISTS: dict[DocumentStep, tuple[ChecklistRow, ...]] = {
    S.CONTRACT: _rows(S.CONTRACT, Slot.CONTRACT, D.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS, Slot.QUALIFICATION),
    S.ACCELERATED_PROCEDURE: _rows(
        S.ACCELERATED_PROCEDURE,
        D.POWER_OF_ATTORNEY,
        D.PASSPORT_COPY,
        D.QUALIFICATION_EVIDENCE,
        D.CV_GERMAN,
        D.NO_PENDING_RECOGNITION_DECLARATION,
        D.AGREEMENT_81A,
        D.FEE_RECEIPT_81A,
    ),
    # In §81a the ABH files the recognition with the §81a documents.
    S.RECOGNITION: tuple(
        R(S.RECOGNITION, code=code, accelerated=False)
        for code in (
            D.RECOGNITION_APPLICATION,
            D.CV_GERMAN,
            D.ID_DOCUMENT,
            D.QUALIFICATION_TRANSLATED,
            D.SYLLABUS,
            D.WORK_EXPERIENCE_PROOF,
        )
    ),
    S.COMPARABILITY: _rows(S.COMPARABILITY, D.DEGREE_CERTIFICATE, D.TRANSLATIONS),
    S.EXPERIENCE: _rows(S.EXPERIENCE, D.QUALIFICATION_TRANSLATED, D.WORK_EXPERIENCE_PROOF, D.CV_GERMAN),
    S.VISA_APPLICATION: _rows(
        S.VISA_APPLICATION,
        D.VISA_APPLICATION_FORM,
        D.PASSPORT_VALID_6_MONTHS,
        D.PHOTO,
        D.CV_GERMAN,
        R(S.VISA_APPLICATION, code=D.RECOGNITION_DECISION, recognised=True),
        D.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS,
        Slot.QUALIFICATION,
        D.TRANSLATIONS,
        D.AUTHENTICATED_CERTIFICATES,
        Slot.PURPOSE,
        R(S.VISA_APPLICATION, code=D.VORABZUSTIMMUNG, accelerated=True),
        R(S.VISA_APPLICATION, slot=Slot.CONTRACT, accelerated=True, since=2),
        R(S.VISA_APPLICATION, code=D.EMPLOYMENT_CONTRACT, accelerated=True, until=1),
        # Every route: cover from entry until the job starts (version 1 asked it in §81a only).
        R(S.VISA_APPLICATION, code=D.HEALTH_INSURANCE, since=2),
        R(S.VISA_APPLICATION, code=D.HEALTH_INSURANCE, accelerated=True, until=1),
        R(S.VISA_APPLICATION, code=D.PENSION_PROVISION_PROOF, pension_proof=True),  # §18(2) Nr. 5 AufenthG
    ),
    S.ANMELDUNG: _rows(S.ANMELDUNG, D.PASSPORT, D.WOHNUNGSGEBERBESTAETIGUNG),
    S.RESIDENCE_PERMIT: _rows(
        S.RESIDENCE_PERMIT, D.PASSPORT, D.VISA_COPY, D.MELDEBESCHEINIGUNG, Slot.CONTRACT, D.BIOMETRIC_PHOTO
    ),
}


def required_documents(
    step: DocumentStep,
    route: ResidenceRoute,
    procedure: Procedure,
    recognised: bool = False,
    version: int = 2,
    pension_proof: bool = False,
) -> list[DocumentCode]:
    """The checklist for one step of one journey, in the order advisors work through it.

    ``version``: the journey's process version; ``pension_proof``: §18(2) Nr. 5 asks for it."""
    row_of_route = ROUTES[route]
    when = (version, recognised, procedure is Procedure.ACCELERATED_81A, pension_proof)
    docs: list[DocumentCode] = []
    for row in CHECKLISTS[step]:
        if not row.counts(*when):
            continue
        if row.code is not None:
            docs.append(row.code)
        elif row.slot is Slot.CONTRACT:
            docs.append(row_of_route.contract)
        else:
            own = row_of_route.checklist
            docs += [r.code for r in own if r.step is step and r.slot is row.slot and r.code and r.counts(*when)]
    return list(dict.fromkeys(docs))
