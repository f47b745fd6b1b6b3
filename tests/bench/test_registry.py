from bench.registry import HOUSEHOLDS, Registry, database_name
from bench.stack import Database

DATABASE = Database(url="postgresql://localhost/x", name="x", where="here", pgdata=None)


class TestDatabaseName:
    def test_the_default_size_keeps_the_name_other_runs_filled(self):
        assert database_name(HOUSEHOLDS) == "sinergi_bench"

    def test_another_size_gets_its_own_database(self):
        assert database_name(20_000) == "sinergi_bench_20000"


class TestDescribe:
    def test_says_whether_this_run_filled_it(self):
        filled = Registry(DATABASE, 1_000_000, 4_000_461, 970_054, 175.4)
        assert "1,000,000 households (970,054 active) and 4,000,461 members" in filled.describe()
        assert "filled by this run in 175 s" in filled.describe()

    def test_says_when_an_earlier_run_filled_it(self):
        reused = Registry(DATABASE, 1_000_000, 4_000_461, 970_054, None)
        assert "filled by an earlier run and reused" in reused.describe()
