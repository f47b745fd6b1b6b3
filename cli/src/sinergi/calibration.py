"""Lampung figures the synthetic registry is calibrated on (DOMAIN.md section 7), and what follows from them.

Households are allocated by each kab/kota's 2025 population share; the extreme-poor share of each kab/kota
is its 2022 extreme-poverty rate (Bappeda Lampung); the share of desil 1-4 grows with its poverty rate; in
both, rural villages (desa, 2xxx) run 1.6 times urban ones (kelurahan, 1xxx), as BPS's urban/rural rates do.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

PROVINCE_POOR_PERCENT_2022 = 11.57
RURAL_TO_URBAN = 1.6
# DTSEN ranks every family nationally, so a province about as poor as Indonesia has ~40 % in desil 1-4.
PROVINCE_DESIL_1_4_SHARE = 0.42


@dataclass(frozen=True)
class Regency:
    code: str
    name: str
    population: int
    extreme_percent: float  # 2022
    poor_percent: float | None  # 2022 where published, else 2024


REGENCIES = (
    Regency("18.01", "Lampung Selatan", 1_124_683, 2.43, 12.57),
    Regency("18.02", "Lampung Tengah", 1_394_395, 2.15, 10.37),
    Regency("18.03", "Lampung Utara", 675_626, 4.79, 18.41),
    Regency("18.04", "Lampung Barat", 313_756, 3.37, 10.68),
    Regency("18.05", "Tulang Bawang", 440_040, 1.16, 7.88),
    Regency("18.06", "Tanggamus", 641_036, 1.95, 10.28),
    Regency("18.07", "Lampung Timur", 1_122_605, 3.04, 13.98),
    Regency("18.08", "Way Kanan", 495_058, 2.74, 10.43),
    Regency("18.09", "Pesawaran", 501_047, 1.89, 13.85),
    Regency("18.10", "Pringsewu", 444_834, 1.11, 8.32),
    Regency("18.11", "Mesuji", 241_280, 0.38, 6.31),
    Regency("18.12", "Tulang Bawang Barat", 312_516, 0.91, 7.22),
    Regency("18.13", "Pesisir Barat", 177_430, 2.98, None),
    Regency("18.71", "Kota Bandar Lampung", 1_077_664, 1.80, 8.21),
    Regency("18.72", "Kota Metro", 182_293, 0.83, 6.78),
)

_NORMAL = NormalDist()
# National desil cut points on a standard-normal welfare score: desil d holds scores in (c[d-2], c[d-1]].
DESIL_CUTS = tuple(_NORMAL.inv_cdf(d / 10) for d in range(1, 10))


@dataclass(frozen=True)
class AreaRates:
    """For one kab/kota and one kind of village: the welfare-score shift and P(extreme | desil <= 2)."""

    welfare_shift: float
    extreme_given_poorest: float


def area_rates(regency: Regency, rural_share: float) -> dict[bool, AreaRates]:
    """Rates for urban (False) and rural (True) villages such that the kab/kota means hit its figures."""
    poor = regency.poor_percent or PROVINCE_POOR_PERCENT_2022
    desil_1_4 = PROVINCE_DESIL_1_4_SHARE * (poor / PROVINCE_POOR_PERCENT_2022) ** 0.5
    extreme = regency.extreme_percent / 100
    rates = {}
    for rural in (False, True):
        factor = (RURAL_TO_URBAN if rural else 1.0) / (1 + (RURAL_TO_URBAN - 1) * rural_share)
        low = min(desil_1_4 * factor, 0.9)
        # Welfare score ~ N(shift, 1): P(score <= cut of desil 4) = low.
        shift = DESIL_CUTS[3] - _NORMAL.inv_cdf(low)
        poorest = _NORMAL.cdf(DESIL_CUTS[1] - shift)
        rates[rural] = AreaRates(welfare_shift=shift, extreme_given_poorest=min(extreme * factor / poorest, 1.0))
    return rates


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder): deterministic and exact."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts
