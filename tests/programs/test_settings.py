from programs.settings import ProgramsSettings


class TestTargetingUrl:
    def test_defaults_to_the_local_targeting_service(self, monkeypatch):
        monkeypatch.delenv("TARGETING_URL", raising=False)
        monkeypatch.delenv("PROGRAMS_TARGETING_URL", raising=False)
        assert ProgramsSettings().targeting_url == "http://127.0.0.1:8001"

    def test_the_programs_prefixed_variable_wins_over_the_shared_one(self, monkeypatch):
        monkeypatch.setenv("TARGETING_URL", "http://shared:8001")
        assert ProgramsSettings().targeting_url == "http://shared:8001"
        monkeypatch.setenv("PROGRAMS_TARGETING_URL", "http://own:8001")
        assert ProgramsSettings().targeting_url == "http://own:8001"
