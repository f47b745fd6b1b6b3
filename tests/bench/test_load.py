import pytest

from bench.load import paths_script


class TestPathsScript:
    def test_lists_every_path_once_and_picks_one_per_request(self):
        script = paths_script(["/api/v1/households/a", "/api/v1/households/b"])
        assert script.count('"/api/v1/households/a"') == 1 and script.count('"/api/v1/households/b"') == 1
        assert "request = function()" in script and "paths[math.random(#paths)]" in script

    def test_each_thread_gets_its_own_seed(self):
        script = paths_script(["/x"], seed=7)
        assert 'thread:set("thread_seed", 7 + threads)' in script

    @pytest.mark.parametrize("path", ["relative/path", '/with"quote', "/with\\backslash", "/with\nnewline"])
    def test_refuses_what_would_not_be_a_plain_lua_string(self, path):
        with pytest.raises(ValueError, match="not a plain absolute path"):
            paths_script(["/fine", path])

    def test_refuses_an_empty_list(self):
        with pytest.raises(ValueError, match="at least one path"):
            paths_script([])
