import pytest

from bench.enrol import ApiRun, RawRun, batches, of_raw


class TestBatches:
    def test_splits_in_order_with_a_short_last_batch(self):
        assert list(batches(["a", "b", "c", "d", "e"], 2)) == [["a", "b"], ["c", "d"], ["e"]]

    def test_100000_ids_make_ten_batches_of_10000(self):
        ids = [str(i) for i in range(100_000)]
        made = list(batches(ids))
        assert [len(b) for b in made] == [10_000] * 10 and [i for b in made for i in b] == ids

    def test_nothing_makes_no_batch(self):
        assert list(batches([])) == []

    def test_a_batch_holds_at_least_one_item(self):
        with pytest.raises(ValueError):
            list(batches(["a"], 0))


class TestOfRaw:
    def test_is_raw_time_over_api_time(self):
        assert of_raw(ApiRun(20.0, [], 100, 0), RawRun(5.0, 100)) == 0.25

    def test_an_api_run_that_took_no_time_is_zero_not_an_error(self):
        assert of_raw(ApiRun(0.0, [], 0, 0), RawRun(5.0, 100)) == 0.0
