"""The programme code lists the read models encode as bits (reach.sectors, reach.strategies): bit i stands
for the i-th value. Appending a value keeps every stored bit's meaning; reordering would not."""

SECTORS = ("social_assistance", "health", "education", "water_sanitation", "housing", "income", "food",
           "infrastructure")
STRATEGIES = ("reduce_burden", "increase_income", "reduce_pockets")


def bits(values: tuple[str, ...], mask: int) -> list[str]:
    return [v for i, v in enumerate(values) if mask >> i & 1]


def mask_of(values: tuple[str, ...], chosen: tuple[str, ...] | list[str]) -> int:
    return sum(1 << values.index(v) for v in chosen)
