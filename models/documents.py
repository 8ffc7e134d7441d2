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


class DocumentStep(StrEnum):
    """The advisor steps that need documents on file before they can complete."""

    CONTRACT = "contract"
    ACCELERATED_PROCEDURE = "accelerated_procedure"
    RECOGNITION = "recognition"
    VISA_APPLICATION = "visa_application"
    ANMELDUNG = "anmeldung"
    RESIDENCE_PERMIT = "residence_permit"


D = DocumentCode


def required_documents(
    step: DocumentStep, route: ResidenceRoute, procedure: Procedure, recognised: bool = False
) -> list[DocumentCode]:
    """The checklist for one step of one journey, in the order advisors work through it."""
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
    if step is DocumentStep.VISA_APPLICATION:
        docs = [D.VISA_APPLICATION_FORM, D.PASSPORT_VALID_6_MONTHS, D.PHOTO, D.CV_GERMAN]
        if recognised:
            docs.append(D.RECOGNITION_DECISION)
        docs += [D.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS]
        if route is ResidenceRoute.SECTION_16D1:
            docs.append(D.ZUSATZBLATT_A)
        docs += [D.TRANSLATIONS, D.AUTHENTICATED_CERTIFICATES]
        if trainee:
            docs += [D.TRAINING_CONTRACT, D.B1_CERTIFICATE, D.PROOF_OF_FUNDS]
        if accelerated:
            docs += [D.VORABZUSTIMMUNG, D.EMPLOYMENT_CONTRACT, D.HEALTH_INSURANCE]
        return list(dict.fromkeys(docs))
    if step is DocumentStep.ANMELDUNG:
        return [D.PASSPORT, D.WOHNUNGSGEBERBESTAETIGUNG]
    if step is DocumentStep.RESIDENCE_PERMIT:
        contract = D.TRAINING_CONTRACT if trainee else D.EMPLOYMENT_CONTRACT
        return [D.PASSPORT, D.VISA_COPY, D.MELDEBESCHEINIGUNG, contract, D.BIOMETRIC_PHOTO]
    raise ValueError(f"step: unknown document step {step!r}")
