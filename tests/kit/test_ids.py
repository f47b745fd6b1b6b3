"""Time-ordered ids."""

import uuid

from kit.ids import uuid7, uuid7_sequence


class TestUuid7Sequence:
    def test_ids_are_version_7_unique_and_sort_in_creation_order(self):
        next_id = uuid7_sequence()
        ids = [next_id() for _ in range(5000)]
        assert len(set(ids)) == len(ids) and ids == sorted(ids)
        parsed = [uuid.UUID(i) for i in ids]
        assert {p.version for p in parsed} == {7} and {p.variant for p in parsed} == {uuid.RFC_4122}

    def test_two_sequences_do_not_collide(self):
        one, two = uuid7_sequence(), uuid7_sequence()
        assert not {one() for _ in range(1000)} & {two() for _ in range(1000)}

    def test_they_share_the_timestamp_layout_of_uuid7(self):
        assert abs((uuid.UUID(uuid7_sequence()()).int >> 80) - (uuid7().int >> 80)) < 10_000
