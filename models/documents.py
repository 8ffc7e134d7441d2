"""Document checklists per journey step and route (../shared/DOMAIN.md, "Documents").

Only codes, dates and a reference into the office's document store are kept;
the documents themselves never enter a workflow payload.
"""

from __future__ import annotations

from enum import StrEnum

from models.case import Procedure, ResidenceRoute


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


D = DocumentCode


def required_documents(
    step: DocumentStep, route: ResidenceRoute, procedure: Procedure, recognised: bool = False, version: int = 2
) -> list[DocumentCode]:
    """The checklist for one step of one journey, in the order advisors work through it.

    ``version``: the journey's process version; 1 keeps the checklists of journeys started
    before the routes' own requirements (#11)."""
    if version < 2:
        return _checklist_v1(step, route, procedure, recognised)
    trainee = route is ResidenceRoute.SECTION_16A
    accelerated = procedure is Procedure.ACCELERATED_81A
    if step is DocumentStep.CONTRACT:
        docs = [D.TRAINING_CONTRACT if trainee else D.EMPLOYMENT_CONTRACT]
        docs.append(D.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS)
        if route is ResidenceRoute.SECTION_16D1:
            docs.append(D.ZUSATZBLATT_A)  # the adaptation measure is part of the employment
        return docs
    if step is DocumentStep.ACCELERATED_PROCEDURE:
        return [
            D.POWER_OF_ATTORNEY,
            D.PASSPORT_COPY,
            D.QUALIFICATION_EVIDENCE,
            D.CV_GERMAN,
            D.NO_PENDING_RECOGNITION_DECLARATION,
            D.AGREEMENT_81A,
            D.FEE_RECEIPT_81A,
        ]
    if step is DocumentStep.RECOGNITION:
        if accelerated:
            return []  # the ABH files the recognition with the §81a documents
        return [
            D.RECOGNITION_APPLICATION,
            D.CV_GERMAN,
            D.ID_DOCUMENT,
            D.QUALIFICATION_TRANSLATED,
            D.SYLLABUS,
            D.WORK_EXPERIENCE_PROOF,
        ]
    if step is DocumentStep.COMPARABILITY:
        return [D.DEGREE_CERTIFICATE, D.TRANSLATIONS]
    if step is DocumentStep.EXPERIENCE:
        return [D.QUALIFICATION_TRANSLATED, D.WORK_EXPERIENCE_PROOF, D.CV_GERMAN]
    if step is DocumentStep.VISA_APPLICATION:
        contract = D.TRAINING_CONTRACT if trainee else D.EMPLOYMENT_CONTRACT
        docs = [D.VISA_APPLICATION_FORM, D.PASSPORT_VALID_6_MONTHS, D.PHOTO, D.CV_GERMAN]
        if recognised:
            docs.append(D.RECOGNITION_DECISION)
        docs += [D.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS]
        if route is ResidenceRoute.SECTION_16D1:
            # Opened directly, the Defizitbescheid comes with the case; after a partial
            # recognition in the journey it is the recognition decision above.
            docs += [D.ZUSATZBLATT_A, D.QUALIFIZIERUNGSPLAN] + ([] if recognised else [D.DEFIZITBESCHEID])
        if route is ResidenceRoute.SECTION_16D3:
            docs += [D.A2_CERTIFICATE, D.PARTNERSHIP_AGREEMENT, D.QUALIFICATION_EVIDENCE]
        if route in (ResidenceRoute.SECTION_18B, ResidenceRoute.SECTION_18G) and not recognised:
            docs.append(D.DEGREE_CERTIFICATE)
        docs += [D.TRANSLATIONS, D.AUTHENTICATED_CERTIFICATES]
        if trainee:
            docs += [D.TRAINING_CONTRACT, D.B1_CERTIFICATE, D.PROOF_OF_FUNDS]
        if accelerated:
            docs += [D.VORABZUSTIMMUNG, contract]
        docs.append(D.HEALTH_INSURANCE)  # every route: cover from entry until the job starts
        return list(dict.fromkeys(docs))
    if step is DocumentStep.ANMELDUNG:
        return [D.PASSPORT, D.WOHNUNGSGEBERBESTAETIGUNG]
    if step is DocumentStep.RESIDENCE_PERMIT:
        contract = D.TRAINING_CONTRACT if trainee else D.EMPLOYMENT_CONTRACT
        return [D.PASSPORT, D.VISA_COPY, D.MELDEBESCHEINIGUNG, contract, D.BIOMETRIC_PHOTO]
    raise ValueError(f"step: unknown document step {step!r}")


def _checklist_v1(
    step: DocumentStep, route: ResidenceRoute, procedure: Procedure, recognised: bool
) -> list[DocumentCode]:
    """The checklists journeys started before process version 2 were given (kept as they were)."""
    if step is not DocumentStep.VISA_APPLICATION:
        return required_documents(step, route, procedure, recognised)
    trainee = route is ResidenceRoute.SECTION_16A
    docs = [D.VISA_APPLICATION_FORM, D.PASSPORT_VALID_6_MONTHS, D.PHOTO, D.CV_GERMAN]
    if recognised:
        docs.append(D.RECOGNITION_DECISION)
    docs += [D.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS]
    if route is ResidenceRoute.SECTION_16D1:
        docs.append(D.ZUSATZBLATT_A)
    docs += [D.TRANSLATIONS, D.AUTHENTICATED_CERTIFICATES]
    if trainee:
        docs += [D.TRAINING_CONTRACT, D.B1_CERTIFICATE, D.PROOF_OF_FUNDS]
    if procedure is Procedure.ACCELERATED_81A:
        docs += [D.VORABZUSTIMMUNG, D.EMPLOYMENT_CONTRACT, D.HEALTH_INSURANCE]
    return list(dict.fromkeys(docs))
