from bench.load import LoadResult
from bench.registry_read import PATH, failures, ratio


def _result(requests: int, seconds: float, failed: int = 0) -> LoadResult:
    return LoadResult(requests=requests, seconds=seconds, p50_ms=1.0, p99_ms=2.0, max_ms=3.0, failed=failed,
                      others_cpu_share=0.0, cpu_ms={})


class TestRatio:
    def test_is_gateway_throughput_over_direct(self):
        assert ratio(_result(1000, 10.0), _result(800, 10.0)) == 0.8

    def test_a_direct_run_without_requests_gives_zero(self):
        assert ratio(_result(0, 10.0), _result(800, 10.0)) == 0.0


def test_the_path_reads_one_household_by_id():
    assert PATH.format(id="0190-x") == "/api/v1/households/0190-x"


class TestFailures:
    def test_says_nothing_when_every_request_succeeded(self):
        assert failures([{"direct": _result(1000, 10.0), "gateway": _result(900, 10.0)}]) == ""

    def test_counts_a_few_failures_quietly(self):
        sentence = failures([{"direct": _result(1000, 10.0), "gateway": _result(1000, 10.0, failed=5)}])
        assert sentence == "5 of 2,000 requests failed (see `failed`)."

    def test_warns_when_failures_change_the_figures(self):
        sentence = failures([{"direct": _result(1000, 10.0), "gateway": _result(1000, 10.0, failed=600)}])
        assert sentence.startswith("**600 of 2,000 requests failed") and "too many" in sentence
