"""Rules of the test suite itself: shared files are required under CI, and the safety floor never skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import shared_file

pytest_plugins = ["pytester"]


def test_a_missing_shared_file_fails_when_required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(conftest, "SHARED", tmp_path)
    monkeypatch.setenv("TWITCHCHECK_REQUIRE_SHARED", "1")
    with pytest.raises(pytest.fail.Exception, match="TWITCHCHECK_REQUIRE_SHARED asks for every shared file"):
        shared_file("vignettes", "public.jsonl")


def test_a_missing_shared_file_is_a_warning_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(conftest, "SHARED", tmp_path)
    monkeypatch.delenv("TWITCHCHECK_REQUIRE_SHARED", raising=False)
    monkeypatch.setenv("CI", "true")  # a CI clone need not sit beside the shared folder
    with pytest.warns(UserWarning, match="public.jsonl is missing"):
        assert shared_file("vignettes", "public.jsonl") is None
    (tmp_path / "vignettes").mkdir()
    (tmp_path / "vignettes" / "public.jsonl").write_text("{}\n")
    assert shared_file("vignettes", "public.jsonl") == tmp_path / "vignettes" / "public.jsonl"


def test_the_safety_floor_tests_are_marked_never_skip() -> None:
    from tests import test_evaluation

    for name in (
        "test_safety_floor_no_emergency_under_triage",
        "test_interview_safety_floor_no_emergency_under_triage",
    ):
        marks = [m.name for m in getattr(test_evaluation, name).pytestmark]
        assert "never_skip" in marks, name


def test_a_never_skip_test_that_skips_fails(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmarkers =\n    never_skip: x\n")
    pytester.makeconftest("from tests.conftest import pytest_runtest_makereport  # noqa: F401\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.never_skip
        def test_floor():
            pytest.skip("the engine is not importable")

        @pytest.mark.never_skip
        def test_floor_from_import():
            pytest.importorskip("no_such_module_here")

        def test_other():
            pytest.skip("allowed")
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2, skipped=1)
    result.stdout.fnmatch_lines(["*marked never_skip but was skipped*"])
