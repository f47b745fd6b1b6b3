"""Every figure the reports publish, defined once: its unit, its formula and the snapshot behind it.

The response schemas take their field descriptions from here, so the OpenAPI description a reader checks a
number against is the same text the code was written from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    unit: str
    formula: str

    @property
    def description(self) -> str:
        return f"{self.formula} Unit: {self.unit}."


REACHED = ("A household is reached by a programme in year Y when it received at least one delivery from it "
           "dated in Y (Asia/Jakarta calendar); enrolled without a delivery is not reached.")
NOW = "the registry as the reporting service last read it (see `snapshot`)"

EXTREME_POOR_HOUSEHOLDS = Figure("households", f"Active households flagged extreme poor in {NOW}, in the area.")
COVERED_HOUSEHOLDS = Figure("households", "Extreme-poor households (as above) reached by at least one programme "
                            "in the year. " + REACHED)
COVERAGE_RATE = Figure("fraction 0-1", "covered_households / extreme_poor_households; null when there are no "
                       "extreme-poor households.")
SECTOR_COVERED = Figure("households", "Extreme-poor households reached in the year by at least one programme "
                        "of the sector; a household reached by two programmes of one sector counts once.")
SECTOR_RATE = Figure("fraction 0-1", "covered (of the sector) / extreme_poor_households; null when 0.")
UNREACHED_HOUSEHOLDS = Figure("households", "extreme_poor_households - covered_households: extreme-poor "
                              "households no programme reached in the year.")
SECTORS_REACHED = Figure("households", "Extreme-poor households by the number of distinct programme sectors "
                         "that reached them in the year: 0, 1, 2, 3 or more.")
EDUCATION_HEALTH_WATER = Figure("households", "Extreme-poor households reached in the year by programmes of all "
                                "three sectors education, health and water_sanitation.")
ALL_STRATEGIES = Figure("households", "Extreme-poor households reached in the year by programmes of all three "
                        "Inpres 4/2022 strategies (reduce_burden, increase_income, reduce_pockets).")
BUDGET = Figure("rupiah", "The programme's budget (pagu) as last recorded; for an agency or a total, the sum.")
SPENT = Figure("rupiah", "The sum of the programme's recorded spending (realisasi) over its periods; a month "
               "recorded again replaces its earlier amount.")
ABSORPTION = Figure("fraction 0-1", "spent_idr / budget_idr; null when the budget is 0.")
TARGET = Figure("households or people (the programme's unit)", "The programme's target_beneficiaries; for an "
                "agency or a total, the sum.")
ENROLLED = Figure("households", "Distinct households enrolled in the programme (for person programmes, the "
                  "households of the enrolled members), inside the region; for an agency, the sum over its "
                  "programmes.")
DELIVERED = Figure("households", "Distinct households the programme reached in its fiscal year "
                   "inside the region. " + REACHED)
REACH_RATE = Figure("fraction", "delivered / target_beneficiaries; null when the target is 0.")
TARGETING_ACCURACY = Figure("fraction 0-1", f"Enrolled households that are active in {NOW} with welfare_decile "
                            "1-4 or extreme_poor, / enrolled; null when nothing is enrolled.")
LEAKAGE = Figure("fraction 0-1", f"Enrolled households not active in {NOW} (deactivated, or never seen in the "
                 "registry feed), / enrolled; null when nothing is enrolled.")
PRIORITY_AREA_SHARE = Figure("fraction 0-1", "Enrolled households whose current village lies in an area "
                             "(regency, district or village) designated as a priority area for the fiscal year, "
                             "/ enrolled; null when nothing is enrolled.")
PROGRESS_HOUSEHOLDS = Figure("households", "Active households flagged extreme poor at the end of the quarter "
                             "(the instant the next quarter begins, Asia/Jakarta), from the registry's history "
                             "as the feed recorded it: a household counts from the time of the feed entry that "
                             "made it so.")
PATH_HOUSEHOLDS = Figure("households", "The straight path to zero: the area's count at the end of the first "
                         "quarter shown, falling linearly to 0 at the end of 2024-12-31 (Asia/Jakarta), and 0 "
                         "after it.")
