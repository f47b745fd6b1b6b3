from datetime import date

import pytest
from pydantic import ValidationError

from kit.app import StrictModel


class Visit(StrictModel):
    on: date
    maybe: date | None = None


@pytest.mark.parametrize("value", [0, 1.5, 20240101])
def test_a_number_is_not_a_date(value):
    with pytest.raises(ValidationError) as caught:
        Visit.model_validate({"on": value})
    assert caught.value.errors()[0]["type"] == "date_type"


def test_date_strings_and_unknown_fields():
    assert Visit.model_validate({"on": "2024-01-31", "maybe": None}).on == date(2024, 1, 31)
    with pytest.raises(ValidationError):
        Visit.model_validate({"on": "2024-01-31", "extra": 1})
