"""``alima growth zscores IN.csv -o OUT.csv`` (the Typer sub-app) and the chunked converter."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from alima.cli import main
from alima.cli.growth import app
from alima.cli.zscores import run_plain
from alima.growth.csvio import convert_csv, format_two_decimals

ADDED = [
    "clenhei", "cbmi", "zlen", "zwei", "zwfl", "zbmi", "zac",
    "flen", "fwei", "fwfl", "fbmi", "fac", "zscore_note",
]  # fmt: skip
Z_AND_FLAGS = ADDED[2:12]
ReadTruth = Callable[[str], pd.DataFrame]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def read_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_edge_cases_match_who_text_for_text(tmp_path: Path, truth_dir: Path) -> None:
    out = tmp_path / "out.csv"
    code, output = run("zscores", str(truth_dir / "edge_cases_input.csv"), "-o", str(out))
    assert code == 0, output
    assert "Wrote 66 rows" in output
    ours = read_text(out)
    truth = pd.read_csv(truth_dir / "who_anthro_R_edge_truth.csv", dtype=str, keep_default_na=False)
    source = read_text(truth_dir / "edge_cases_input.csv")
    assert list(ours.columns) == [*source.columns, *ADDED]
    pd.testing.assert_frame_equal(ours[list(source.columns)], source)  # passed through as is
    # Same text as WHO's R write.csv, except that a missing value is empty, not NA.
    for column in ["clenhei", "cbmi", *Z_AND_FLAGS]:
        want = truth[column].replace("NA", "")
        assert list(ours[column]) == list(want), column


def test_synthetic_file_matches_who(tmp_path: Path, truth_dir: Path) -> None:
    out = tmp_path / "out.csv"
    source = truth_dir / "synthetic_cases_input.csv"
    code, output = run("zscores", str(source), "-o", str(out), "--chunk-size", "333")
    assert code == 0, output
    ours = read_text(out)
    truth = pd.read_csv(
        truth_dir / "who_anthro_R_synthetic_truth.csv", dtype=str, keep_default_na=False
    )
    assert len(ours) == 2000
    for column in ["clenhei", "cbmi", *Z_AND_FLAGS]:
        assert list(ours[column]) == list(truth[column].replace("NA", "")), column
    assert (ours["zscore_note"] != "").sum() == (truth["cmeasure"] == "NA").sum()


def test_chunk_size_does_not_change_the_output(tmp_path: Path, truth_dir: Path) -> None:
    source = truth_dir / "who_anthro_R_MySurvey_truth.csv"
    outputs = []
    for size in (1, 7, 100_000):
        out = tmp_path / f"out{size}.csv"
        convert_csv(source, out, chunk_size=size)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_mysurvey_missing_values(tmp_path: Path, truth_dir: Path, read_truth: ReadTruth) -> None:
    out = tmp_path / "out.csv"
    assert (
        run("zscores", str(truth_dir / "who_anthro_R_MySurvey_truth.csv"), "-o", str(out))[0] == 0
    )
    ours = pd.read_csv(out, keep_default_na=False, na_values=[""])
    truth = read_truth("who_anthro_R_MySurvey_truth.csv")
    for column in ["zlen", "zwei", "zwfl", "zbmi", "zac"]:
        np.testing.assert_array_equal(ours[column].to_numpy(), truth[column].to_numpy())


def test_missing_column_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex,age_days,weight,lenhei,measure\n1,400,10,76,l\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["zscores", str(source), "-o", str(out)])
    assert result.exit_code == 2
    assert "Missing column(s): muac, oedema." in result.stderr
    assert "sex, age_days, weight, lenhei, measure, muac, oedema" in result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_empty_file_is_a_missing_column_error(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("", encoding="utf-8")
    code, output = run("zscores", str(source), "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert "Missing column(s): sex, age_days" in output


def test_header_only(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex,age_days,weight,lenhei,measure,muac,oedema\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run("zscores", str(source), "-o", str(out))[0] == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        ",".join(["sex", "age_days", "weight", "lenhei", "measure", "muac", "oedema", *ADDED])
    ]


def test_bad_rows_and_extra_columns(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    rows = [
        ["village", "sex", "age_days", "weight", "lenhei", "measure", "muac", "oedema", "comment"],
        ["Dogo, Zinder", "2", "400", "10", "76", "l", "15", "n", 'said "ok"'],
        ["Takieta", "3", "400", "10", "76", "l", "15", "n", ""],
        ["Mirriah", "2", "abc", "10", "76", "l", "15", "n", "  padded  "],
        ["Mirriah", "2", "400", "10", "76", "x", "15", "n", "multi\nline"],
        ["Mirriah", "2", "400", "0", "76", "l", "15", "n", ""],
        ["Mirriah", "2", "2000", "", "", "", "", "", ""],
        ["", "", "", "", "", "", "", "", ""],
    ]
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "out.csv"
    code, output = run("zscores", str(source), "-o", str(out))
    assert code == 0, output
    assert "4 rows have a bad value and no z-scores." in output
    ours = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(ours.columns) == [*rows[0], *ADDED]
    assert list(ours["village"]) == [r[0] for r in rows[1:]]
    assert list(ours["comment"]) == [r[8] for r in rows[1:]]
    assert list(ours["zwei"]) == ["0.67", "", "", "", "", "", ""]
    assert list(ours["zlen"]) == ["0.23", "", "", "", "0.23", "", ""]
    assert list(ours["zscore_note"]) == [
        "",
        "sex must be 1 (male) or 2 (female)",
        "age_days must be a number of days, 0 or more",
        "measure must be l (lying), h (standing) or empty",
        "weight must be greater than 0",
        "age is 60 months or more: the WHO standards stop at 5 years",
        "sex must be 1 (male) or 2 (female); "
        "age_days is missing: only weight-for-length/height is computed",
    ]


def test_malformed_lines_are_reported_not_fatal(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "sex,age_days,weight,lenhei,measure,muac,oedema\n"
        "2,400,10,76,l,15,n\n"
        "2,400,10,76,l,15,n,extra,fields\n"
        "1,1000,13,90,l,15.5,n\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    code, output = run("zscores", str(source), "-o", str(out))
    assert code == 0
    assert "Skipped 1 malformed line(s)" in output
    assert "line 3" in output
    assert list(read_text(out)["zwei"]) == ["0.67", "-0.5"]


def test_latin1_bytes_do_not_crash(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(
        b"village,sex,age_days,weight,lenhei,measure,muac,oedema\nKant\xe9,2,400,10,76,l,15,n\n"
    )
    out = tmp_path / "out.csv"
    assert run("zscores", str(source), "-o", str(out))[0] == 0
    assert list(read_text(out)["zwei"]) == ["0.67"]


def test_progress_is_reported(tmp_path: Path, truth_dir: Path) -> None:
    calls: list[tuple[int, int]] = []
    source = truth_dir / "synthetic_cases_input.csv"
    summary = convert_csv(
        source, tmp_path / "out.csv", chunk_size=500, on_progress=lambda b, r: calls.append((b, r))
    )
    assert summary.rows == 2000
    assert [r for _, r in calls] == [500, 1000, 1500, 2000]
    assert calls[-1][0] == source.stat().st_size


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "0"), (-0.0, "0"), (-0.1, "-0.1"), (1.5, "1.5"), (12.34, "12.34"),
     (-13.18, "-13.18"), (np.nan, ""), (2345.67, "2345.67"), (-1e6, "-1000000")],
)  # fmt: skip
def test_two_decimal_formatting(value: float, text: str) -> None:
    assert format_two_decimals(np.array([value]))[0] == text


def test_output_must_not_overwrite_the_input(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    text = "sex,age_days,weight,lenhei,measure,muac,oedema\n2,400,10,76,l,15,n\n"
    source.write_text(text, encoding="utf-8")
    code, output = run("zscores", str(source), "-o", str(tmp_path / "." / "in.csv"))
    assert code == 2
    assert "must not be the input file" in output
    assert source.read_text(encoding="utf-8") == text


def test_short_rows_are_padded_with_empty_values(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,sex,age_days,weight,lenhei,measure,muac,oedema\n1,2,400,10\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    assert run("zscores", str(source), "-o", str(out))[0] == 0
    row = read_text(out).iloc[0]
    assert (row["id"], row["zwei"], row["zlen"], row["oedema"]) == ("1", "0.67", "", "")


def test_unreadable_input_is_a_usage_error(tmp_path: Path) -> None:
    code, _ = run("zscores", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "out.csv"))
    assert code == 2


def test_plain_arguments_start_without_typer_and_write_the_same(
    tmp_path: Path, truth_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = truth_dir / "synthetic_cases_input.csv"
    by_typer, plain = tmp_path / "typer.csv", tmp_path / "plain.csv"
    code, output = run("zscores", str(source), "-o", str(by_typer), "--chunk-size", "333")
    assert code == 0, output
    with pytest.raises(SystemExit) as done:
        main(["growth", "zscores", "--chunk-size", "333", str(source), "--output", str(plain)])
    assert done.value.code == 0
    assert plain.read_bytes() == by_typer.read_bytes()
    said = capsys.readouterr().err.replace(str(plain), str(by_typer))
    assert said.splitlines() == output.splitlines()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["IN"],  # no output
        ["IN", "-o"],
        ["IN", "IN", "-o", "OUT"],
        ["IN", "--output=OUT"],
        ["IN", "-o", "OUT", "--processes", "0"],
        ["IN", "-o", "OUT", "--chunk-size", "1e3"],
        ["IN", "-o", "OUT", "--chunk-size", "-5"],
        ["IN", "-o", "OUT", "-o", "OTHER"],
        ["IN", "-o", "OUT", "--unknown"],
        ["--", "IN", "-o", "OUT"],
        ["MISSING", "-o", "OUT"],
        ["FOLDER", "-o", "OUT"],
    ],
)
def test_anything_but_plain_arguments_is_left_to_typer(tmp_path: Path, args: list[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex,age_days,weight,lenhei,measure,muac,oedema\n1,100,5,60,l,12,n\n")
    names = {"IN": str(source), "MISSING": str(tmp_path / "nope.csv"), "FOLDER": str(tmp_path)}
    line = [names.get(arg, str(tmp_path / arg) if arg.isupper() else arg) for arg in args]
    assert run_plain(line) is None
    assert not (tmp_path / "OUT").exists()


def test_typer_still_says_what_is_wrong_with_an_argument(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as done:
        main(["growth", "zscores", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.csv")])
    assert done.value.code == 2  # Typer's usage error: the file does not exist


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_an_output_that_cannot_be_written_is_said_plainly(tmp_path: Path, where: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex,age_days,weight,lenhei,measure,muac,oedema\n1,100,5,60,l,12,n\n")
    output = tmp_path / "nope" / "out.csv" if where == "missing folder" else tmp_path
    code, said = run("zscores", str(source), "-o", str(output))
    assert code == 2
    assert "Traceback" not in said
    reason = "no such file or folder" if where == "missing folder" else "it is a folder"
    assert f"Cannot use the file {output}: {reason}." in said


def test_an_output_that_fails_while_written_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from alima.cli import zscores as command

    source = tmp_path / "in.csv"
    source.write_text("sex,age_days,weight,lenhei,measure,muac,oedema\n1,100,5,60,l,12,n\n")
    output = tmp_path / "out.csv"

    def full_disk(_input: Path, target: Path, **_: object) -> None:
        target.write_text("sex,age_days\n1,")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(command, "convert_csv", full_disk)
    code, said = run("zscores", str(source), "-o", str(output))
    assert code == 2
    assert "the disk is full" in said
    assert not output.exists()  # no partial file that could pass for the whole
