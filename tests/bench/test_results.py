from bench.results import HEADER, write_section


class TestWriteSection:
    def test_a_new_file_starts_with_the_header(self, tmp_path):
        path = tmp_path / "RESULTS.md"
        write_section("gateway", "## gateway\nfigures", path)
        text = path.read_text()
        assert text.startswith(HEADER)
        assert "<!-- bench:gateway -->\n## gateway\nfigures\n<!-- /bench:gateway -->" in text

    def test_rewrites_its_own_section_and_keeps_the_others(self, tmp_path):
        path = tmp_path / "RESULTS.md"
        write_section("gateway", "old gateway figures", path)
        write_section("import", "import figures", path)
        write_section("gateway", "new gateway figures", path)
        text = path.read_text()
        assert "old gateway figures" not in text
        assert text.count("<!-- bench:gateway -->") == 1
        assert text.index("new gateway figures") < text.index("import figures")
        assert "import figures" in text

    def test_text_outside_the_sections_survives(self, tmp_path):
        path = tmp_path / "RESULTS.md"
        write_section("gateway", "figures", path)
        path.write_text(path.read_text() + "\nA note written by hand.\n")
        write_section("gateway", "other figures", path)
        assert "A note written by hand." in path.read_text()
