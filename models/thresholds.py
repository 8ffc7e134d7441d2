"""Wage thresholds per calendar year: legal facts as data, with their basis and source.

The law fixes each threshold as a share of the general pension contribution ceiling
(Beitragsbemessungsgrenze, BBG), which changes every 1 January; the Welcome Center adds
a year to the policy file, never a line of code. Each figure is checked against its share
of the year's ceiling when the policy is loaded.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class WageRule(StrEnum):
    AGE_45_PLUS = "age_45_plus"  # §18(2) Nr. 5 AufenthG: first §18a/§18b title at 45 or older
    EXPERIENCE = "experience"  # §19c(2) AufenthG with §6 BeschV
    BLUE_CARD = "blue_card"  # §18g(1) S.1 AufenthG
    BLUE_CARD_SHORTAGE = "blue_card_shortage"  # §18g(1) S.2: shortage occupations, career starters


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    share_of_ceiling: float = Field(gt=0, lt=1, description="the share of the BBG the law names")
    annual_eur: float = Field(gt=0, description="the published gross annual amount for the year")
    basis: str = Field(min_length=3)

    def describe(self, year: int) -> str:
        return (
            f"{self.annual_eur:,.2f} EUR gross a year in {year} "
            f"({self.share_of_ceiling:.1%} of the pension contribution ceiling, {self.basis})"
        )


class YearFigures(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pension_contribution_ceiling_eur: float = Field(gt=0)
    source: str = Field(min_length=3)
    unverified: str | None = None
    thresholds: dict[WageRule, Threshold]

    @model_validator(mode="after")
    def _consistent(self) -> YearFigures:
        missing = [r.value for r in WageRule if r not in self.thresholds]
        if missing:
            raise ValueError(f"thresholds: missing {', '.join(missing)}")
        for rule, t in self.thresholds.items():
            expected = t.share_of_ceiling * self.pension_contribution_ceiling_eur
            if abs(t.annual_eur - expected) > 1:
                raise ValueError(
                    f"thresholds.{rule.value}.annual_eur: {t.annual_eur} is not {t.share_of_ceiling:.1%} of "
                    f"the ceiling {self.pension_contribution_ceiling_eur} ({expected:.2f})"
                )
        return self


def figures_for(figures: dict[int, YearFigures], on: date) -> tuple[int, YearFigures]:
    """The figures of ``on``'s year, or of the latest year before it (said in every message)."""
    years = sorted(y for y in figures if y <= on.year)
    if not years:
        raise ValueError(f"wage_thresholds: no figures for {on.year} or earlier in the policy file")
    return years[-1], figures[years[-1]]
