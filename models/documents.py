"""The documents a journey asks for: their codes, German names, the steps that need them
and the shape of a checklist row (the checklists themselves: models/checklists.py).

Only codes, dates and a reference into the office's document store are kept;
the documents themselves never enter a workflow payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DocumentCode(StrEnum):
    # Contract
    EMPLOYMENT_CONTRACT = "employment_contract"
    TRAINING_CONTRACT = "training_contract"
    ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS = "erklaerung_beschaeftigungsverhaeltnis"
    ZUSATZBLATT_A = "zusatzblatt_a"
    # Recognition (Anerkennung)
    RECOGNITION_APPLICATION = "recognition_application"
    CV_GERMAN = "cv_german"
    ID_DOCUMENT = "id_document"
    QUALIFICATION_TRANSLATED = "qualification_certified_translation"
    SYLLABUS = "syllabus"
    WORK_EXPERIENCE_PROOF = "work_experience_proof"
    RECOGNITION_DECISION = "recognition_decision"
    # §81a
    POWER_OF_ATTORNEY = "power_of_attorney"
    PASSPORT_COPY = "passport_copy"
    QUALIFICATION_EVIDENCE = "qualification_evidence"
    NO_PENDING_RECOGNITION_DECLARATION = "no_pending_recognition_declaration"
    AGREEMENT_81A = "agreement_81a"
    FEE_RECEIPT_81A = "fee_receipt_81a"
    VORABZUSTIMMUNG = "vorabzustimmung"
    # Visa
    VISA_APPLICATION_FORM = "visa_application_form"
    PASSPORT_VALID_6_MONTHS = "passport_valid_6_months"
    PHOTO = "photo"
    TRANSLATIONS = "translations"
    AUTHENTICATED_CERTIFICATES = "authenticated_certificates"
    B1_CERTIFICATE = "b1_certificate"
    PROOF_OF_FUNDS = "proof_of_funds"
    HEALTH_INSURANCE = "health_insurance"
    # Anmeldung and residence permit
    PASSPORT = "passport"
    WOHNUNGSGEBERBESTAETIGUNG = "wohnungsgeberbestaetigung"
    VISA_COPY = "visa_copy"
    MELDEBESCHEINIGUNG = "meldebescheinigung"
    BIOMETRIC_PHOTO = "biometric_photo"
    FIKTIONSBESCHEINIGUNG = "fiktionsbescheinigung"  # §81(5) AufenthG, recorded with its action
    # Degree routes without regulated profession (§18b, §18g): comparability
    DEGREE_CERTIFICATE = "degree_certificate"
    ANABIN_ENTRY = "anabin_entry"  # institution H+, degree "entspricht", recorded with its action
    ZAB_STATEMENT = "zab_statement"  # ZAB Zeugnisbewertung, recorded with its action
    # §16d
    DEFIZITBESCHEID = "defizitbescheid"
    QUALIFIZIERUNGSPLAN = "qualifizierungsplan"
    A2_CERTIFICATE = "a2_certificate"
    PARTNERSHIP_AGREEMENT = "partnership_agreement"  # §16d(3): employer and candidate
    # §18(2) Nr. 5: 45 or older at the first title, below 55% of the BBG
    PENSION_PROVISION_PROOF = "pension_provision_proof"

    @property
    def german(self) -> str:
        """The name the documents go by in the office and at the authorities."""
        return GERMAN_NAMES[self]


GERMAN_NAMES: dict[DocumentCode, str] = {
    DocumentCode.EMPLOYMENT_CONTRACT: "Arbeitsvertrag",
    DocumentCode.TRAINING_CONTRACT: "Ausbildungsvertrag",
    DocumentCode.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS: "Erklärung zum Beschäftigungsverhältnis",
    DocumentCode.ZUSATZBLATT_A: "Zusatzblatt A",
    DocumentCode.RECOGNITION_APPLICATION: "Antrag auf Anerkennung",
    DocumentCode.CV_GERMAN: "Lebenslauf (deutsch)",
    DocumentCode.ID_DOCUMENT: "Identitätsnachweis",
    DocumentCode.QUALIFICATION_TRANSLATED: "Berufsabschluss, beglaubigt und übersetzt",
    DocumentCode.SYLLABUS: "Fächer- und Stundenübersicht",
    DocumentCode.WORK_EXPERIENCE_PROOF: "Nachweis der Berufserfahrung",
    DocumentCode.RECOGNITION_DECISION: "Anerkennungsbescheid",
    DocumentCode.POWER_OF_ATTORNEY: "Vollmacht",
    DocumentCode.PASSPORT_COPY: "Passkopie",
    DocumentCode.QUALIFICATION_EVIDENCE: "Qualifikationsnachweise",
    DocumentCode.NO_PENDING_RECOGNITION_DECLARATION: "Erklärung: kein laufendes Anerkennungsverfahren",
    DocumentCode.AGREEMENT_81A: "Vereinbarung nach §81a AufenthG",
    DocumentCode.FEE_RECEIPT_81A: "Gebührenquittung §81a",
    DocumentCode.VORABZUSTIMMUNG: "Vorabzustimmung",
    DocumentCode.VISA_APPLICATION_FORM: "Visumantrag",
    DocumentCode.PASSPORT_VALID_6_MONTHS: "Reisepass (noch 6 Monate gültig)",
    DocumentCode.PHOTO: "Passbild",
    DocumentCode.TRANSLATIONS: "Übersetzungen",
    DocumentCode.AUTHENTICATED_CERTIFICATES: "Legalisierte Urkunden",
    DocumentCode.B1_CERTIFICATE: "Sprachzertifikat B1",
    DocumentCode.PROOF_OF_FUNDS: "Finanzierungsnachweis",
    DocumentCode.HEALTH_INSURANCE: "Krankenversicherungsnachweis",
    DocumentCode.PASSPORT: "Reisepass",
    DocumentCode.WOHNUNGSGEBERBESTAETIGUNG: "Wohnungsgeberbestätigung",
    DocumentCode.VISA_COPY: "Visumskopie",
    DocumentCode.MELDEBESCHEINIGUNG: "Meldebescheinigung",
    DocumentCode.BIOMETRIC_PHOTO: "Biometrisches Passbild",
    DocumentCode.FIKTIONSBESCHEINIGUNG: "Fiktionsbescheinigung",
    DocumentCode.DEGREE_CERTIFICATE: "Hochschulabschluss",
    DocumentCode.ANABIN_ENTRY: "anabin-Ausdruck (H+, entspricht)",
    DocumentCode.ZAB_STATEMENT: "Zeugnisbewertung der ZAB",
    DocumentCode.DEFIZITBESCHEID: "Defizitbescheid",
    DocumentCode.QUALIFIZIERUNGSPLAN: "Qualifizierungsplan",
    DocumentCode.A2_CERTIFICATE: "Sprachzertifikat A2",
    DocumentCode.PARTNERSHIP_AGREEMENT: "Vereinbarung zur Anerkennungspartnerschaft",
    DocumentCode.PENSION_PROVISION_PROOF: "Nachweis angemessener Altersversorgung",
}


class DocumentStep(StrEnum):
    """The advisor steps that need documents on file before they can complete."""

    CONTRACT = "contract"
    COMPARABILITY = "comparability"
    EXPERIENCE = "experience"
    ACCELERATED_PROCEDURE = "accelerated_procedure"
    RECOGNITION = "recognition"
    VISA_APPLICATION = "visa_application"
    ANMELDUNG = "anmeldung"
    RESIDENCE_PERMIT = "residence_permit"


class Slot(StrEnum):
    """Where a route's own documents go in a checklist (models/routes.py)."""

    CONTRACT = "contract"  # the route's contract document (employment or training)
    QUALIFICATION = "qualification"  # the route's evidence, after the employer's declaration
    PURPOSE = "purpose"  # the stay's own purpose (training), after the translations


@dataclass(frozen=True)
class ChecklistRow:
    """One row of a checklist: a document (``code``), or the place of the route's own rows
    (``slot`` without a code). The conditions say for which journeys the row counts."""

    step: DocumentStep
    slot: Slot | None = None
    code: DocumentCode | None = None
    since: int = 1  # from this process version
    until: int | None = None  # up to this process version (kept for journeys on it)
    recognised: bool | None = None  # only with (True) or without (False) a recognition decision
    accelerated: bool | None = None  # only in (True) or outside (False) the §81a procedure
    pension_proof: bool = False  # only where §18(2) Nr. 5 asks for the proof

    def counts(self, version: int, recognised: bool, accelerated: bool, pension_proof: bool) -> bool:
        return (
            self.since <= version
            and (self.until is None or version <= self.until)
            and self.recognised in (None, recognised)
            and self.accelerated in (None, accelerated)
            and (pension_proof or not self.pension_proof)
        )
