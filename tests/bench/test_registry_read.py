from bench.load import LoadResult
from bench.registry_read import PATH, ratio


def _result(requests: int, seconds: float) -> LoadResult:
    return LoadResult(requests=requests, seconds=seconds, p50_ms=1.0, p99_ms=2.0, max_ms=3.0, failed=0,
                      others_cpu_share=0.0, cpu_ms={})


class TestRatio:
    def test_is_gateway_throughput_over_direct(self):
        assert ratio(_result(1000, 10.0), _result(800, 10.0)) == 0.8

    def test_a_direct_run_without_requests_gives_zero(self):
        assert ratio(_result(0, 10.0), _result(800, 10.0)) == 0.0


def test_the_path_reads_one_household_by_id():
    assert PATH.format(id="0190-x") == "/api/v1/households/0190-x"
